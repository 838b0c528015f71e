package dev.graft.pkcs11;

/**
 * An object on a token, by its PKCS#11 handle. Handles of token objects are valid in every session
 * this process has with the token while the module stays initialised, so a {@code TokenObject}
 * found through one {@link TokenSession} may be used with any session of the same token.
 */
public record TokenObject(long handle) {}
