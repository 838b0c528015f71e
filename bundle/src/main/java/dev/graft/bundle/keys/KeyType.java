package dev.graft.bundle.keys;

import java.util.Optional;

/** The key types Graft knows, with their TUF {@code keytype} and {@code scheme} strings. */
public enum KeyType {
  ED25519("ed25519", "ed25519"),
  ECDSA_P256("ecdsa", "ecdsa-sha2-nistp256"),
  RSA_PSS_SHA256("rsa", "rsassa-pss-sha256"),
  MLDSA65_ED25519("mldsa65-ed25519", "mldsa65-ed25519");

  private final String keyType;
  private final String scheme;

  KeyType(String keyType, String scheme) {
    this.keyType = keyType;
    this.scheme = scheme;
  }

  public String keyType() {
    return keyType;
  }

  public String scheme() {
    return scheme;
  }

  /** True for the composite hybrid type that every offline Graft role requires by default. */
  public boolean isComposite() {
    return this == MLDSA65_ED25519;
  }

  /**
   * The type a TUF key object names, or empty for one Graft does not know. Older python-tuf
   * repositories wrote {@code ecdsa-sha2-nistp256} as the keytype too; both are accepted.
   */
  public static Optional<KeyType> of(String keyType, String scheme) {
    for (KeyType type : values()) {
      if (type.scheme.equals(scheme)
          && (type.keyType.equals(keyType)
              || (type == ECDSA_P256 && keyType.equals("ecdsa-sha2-nistp256")))) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
