package dev.graft.bundle;

/** Fewer distinct keys signed than the role's threshold requires. */
public final class ThresholdException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String role;
  private final long version;
  private final int signers;
  private final int trustedKeys;
  private final int threshold;

  private ThresholdException(
      String message, String role, long version, int signers, int trustedKeys, int threshold) {
    super(message);
    this.role = role;
    this.version = version;
    this.signers = signers;
    this.trustedKeys = trustedKeys;
    this.threshold = threshold;
  }

  /**
   * {@code role} metadata at {@code version} has valid signatures from {@code signers} distinct
   * keys of the {@code trustedKeys} it trusts, fewer than {@code threshold}; {@code sharedHalf}
   * says that composite keys sharing a half were counted once.
   */
  public static ThresholdException of(
      String role, long version, int signers, int trustedKeys, int threshold, boolean sharedHalf) {
    return new ThresholdException(
        role
            + " metadata version "
            + version
            + " has valid signatures from "
            + signers
            + " distinct key(s) of the "
            + trustedKeys
            + " it trusts; threshold is "
            + threshold
            + (sharedHalf
                ? " (composite keys that share an ML-DSA or Ed25519 half count once; give each"
                    + " signer keys of their own)"
                : ""),
        role,
        version,
        signers,
        trustedKeys,
        threshold);
  }

  /** The role as the client names it, e.g. {@code root (signed by trusted root keys)}. */
  public String role() {
    return role;
  }

  public long version() {
    return version;
  }

  /** How many distinct trusted keys signed validly. */
  public int signers() {
    return signers;
  }

  /** How many keys the role trusts. */
  public int trustedKeys() {
    return trustedKeys;
  }

  public int threshold() {
    return threshold;
  }
}
