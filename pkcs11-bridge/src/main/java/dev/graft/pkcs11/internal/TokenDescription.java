package dev.graft.pkcs11.internal;

/**
 * The fields of {@code CK_TOKEN_INFO} Graft uses, with the blank padding of the fixed-size strings
 * removed.
 */
public record TokenDescription(
    String label,
    String manufacturer,
    String model,
    String serial,
    long flags,
    long maxSessionCount,
    long maxRwSessionCount) {}
