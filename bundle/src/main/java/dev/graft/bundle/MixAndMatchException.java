package dev.graft.bundle;

import java.util.OptionalLong;

/**
 * Metadata that does not belong to the set trusted so far (version or hash different from what the
 * snapshot or timestamp names).
 */
public final class MixAndMatchException extends TrustException {
  private static final long serialVersionUID = 1L;

  /** Which consistency rule was broken. */
  public enum Reason {
    /** The snapshot does not list the role at all. */
    NOT_LISTED,
    /** The role's version differs from the one snapshot or timestamp names. */
    VERSION_MISMATCH
  }

  private final Reason reason;
  private final String role;
  private final String listing;
  private final long listingVersion;
  private final long expectedVersion;
  private final long foundVersion;

  private MixAndMatchException(
      String message,
      Reason reason,
      String role,
      String listing,
      long listingVersion,
      long expectedVersion,
      long foundVersion) {
    super(message);
    this.reason = reason;
    this.role = role;
    this.listing = listing;
    this.listingVersion = listingVersion;
    this.expectedVersion = expectedVersion;
    this.foundVersion = foundVersion;
  }

  /** Snapshot at {@code snapshotVersion} does not list {@code role}. */
  public static MixAndMatchException notListed(long snapshotVersion, String role) {
    return new MixAndMatchException(
        "snapshot version "
            + snapshotVersion
            + " does not list "
            + role
            + ".json; refusing to load that role",
        Reason.NOT_LISTED,
        role,
        "snapshot",
        snapshotVersion,
        -1,
        -1);
  }

  /**
   * {@code role} metadata has version {@code found}, but {@code listing} metadata at {@code
   * listingVersion} names version {@code expected}.
   */
  public static MixAndMatchException versionMismatch(
      String role, long found, String listing, long listingVersion, long expected) {
    return new MixAndMatchException(
        role
            + " metadata has version "
            + found
            + " but "
            + listing
            + " version "
            + listingVersion
            + " names version "
            + expected
            + " — possible mix-and-match attack; refusing update",
        Reason.VERSION_MISMATCH,
        role,
        listing,
        listingVersion,
        expected,
        found);
  }

  public Reason reason() {
    return reason;
  }

  /** The role that does not fit, e.g. {@code snapshot} or a targets role. */
  public String role() {
    return role;
  }

  /** The role that names it: {@code timestamp} or {@code snapshot}. */
  public String listing() {
    return listing;
  }

  public long listingVersion() {
    return listingVersion;
  }

  /** The version {@link #listing()} names; empty when it names none. */
  public OptionalLong expectedVersion() {
    return reason == Reason.NOT_LISTED ? OptionalLong.empty() : OptionalLong.of(expectedVersion);
  }

  /** The version of the metadata delivered; empty when none was loaded. */
  public OptionalLong foundVersion() {
    return reason == Reason.NOT_LISTED ? OptionalLong.empty() : OptionalLong.of(foundVersion);
  }
}
