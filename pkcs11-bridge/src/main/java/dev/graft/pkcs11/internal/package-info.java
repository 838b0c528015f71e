/**
 * The Cryptoki binding over the Java FFM API, with the C API's own vocabulary (constants, return
 * values, attributes, mechanism and library descriptions). Nothing outside {@code dev.graft.pkcs11}
 * may use it, and no FFM code lives anywhere else (ArchUnit rules).
 */
@NullMarked
package dev.graft.pkcs11.internal;

import org.jspecify.annotations.NullMarked;
