/**
 * Keys held in PKCS#11 tokens (HSMs, SoftHSM2, TPMs through tpm2-pkcs11), named by RFC 7512 URIs,
 * behind the trust core's {@link dev.graft.bundle.keys.Signer} and {@link
 * dev.graft.bundle.keys.Verifier} interfaces.
 */
@NullMarked
package dev.graft.pkcs11;

import org.jspecify.annotations.NullMarked;
