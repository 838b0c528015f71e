package dev.graft.pkcs11.internal;

/** The two object handles {@code C_GenerateKeyPair} returns. */
public record KeyPairHandles(long publicKey, long privateKey) {}
