package dev.graft.pkcs11;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import java.nio.charset.StandardCharsets;

/**
 * One key on a token that Graft can use, as {@link TokenKeyListing} shows it.
 *
 * @param label the private key's {@code CKA_LABEL}
 * @param idHex its {@code CKA_ID} in lower-case hex (empty when it has none)
 * @param type ECDSA P-256, Ed25519 (a key usable only as the half of a composite key) or the
 *     composite {@code mldsa65-ed25519}
 * @param publicKey the public key as a TUF key object
 * @param storage where the private key lives and how it is protected, in words
 */
public record ListedTokenKey(
    String label, String idHex, KeyType type, TufKey publicKey, String storage) {

  /** The TUF key id of {@link #publicKey()}. */
  public String keyId() {
    return publicKey.keyId();
  }

  /** The public key as a TUF key object in JSON, as a public key file holds it. */
  public String publicKeyJson() {
    return new String(PublicKeyFile.encode(publicKey), StandardCharsets.UTF_8);
  }
}
