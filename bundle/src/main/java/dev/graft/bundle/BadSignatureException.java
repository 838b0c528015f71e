package dev.graft.bundle;

/** A signature list that is malformed as a whole, such as two signatures carrying one key id. */
public final class BadSignatureException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String role;
  private final long version;
  private final String keyId;

  private BadSignatureException(String role, long version, String keyId) {
    super(
        role
            + " version "
            + version
            + " carries two signatures by key id "
            + keyId
            + "; refusing the whole file");
    this.role = role;
    this.version = version;
    this.keyId = keyId;
  }

  /** {@code role} metadata at {@code version} carries two signatures by {@code keyId}. */
  public static BadSignatureException duplicateKeyId(String role, long version, String keyId) {
    return new BadSignatureException(role, version, keyId);
  }

  public String role() {
    return role;
  }

  public long version() {
    return version;
  }

  /** The key id that signs twice. */
  public String keyId() {
    return keyId;
  }
}
