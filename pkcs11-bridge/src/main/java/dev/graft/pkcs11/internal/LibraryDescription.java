package dev.graft.pkcs11.internal;

/**
 * What a PKCS#11 module says about itself ({@code C_GetInfo}): the Cryptoki version it implements,
 * its maker and its own name and version, for diagnostics.
 */
public record LibraryDescription(
    String cryptokiVersion, String manufacturer, String library, String libraryVersion) {}
