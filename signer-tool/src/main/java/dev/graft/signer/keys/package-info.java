/**
 * Key handling behind {@code graft key}: writing new key files without ever replacing one, public
 * keys as PEM SubjectPublicKeyInfo, PKCS#10 certification requests signed by any Graft signer, and
 * the offline backup format of a key. A library: no picocli here.
 */
@NullMarked
package dev.graft.signer.keys;

import org.jspecify.annotations.NullMarked;
