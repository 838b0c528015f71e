package dev.graft.bundle;

import java.util.OptionalLong;

/**
 * A version older than the trusted one (or an equal version with other content): a rollback attack.
 * The factories name the situations; every message ends "— possible rollback attack; refusing
 * update".
 */
public final class RollbackAttackException extends TrustException {
  private static final long serialVersionUID = 1L;

  private static final String SUFFIX = " — possible rollback attack; refusing update";

  /** Which rollback rule was broken. */
  public enum Reason {
    /** The role's own metadata has a lower version than the trusted one. */
    OLDER_VERSION,
    /** Timestamp or snapshot names a role version lower than the trusted one. */
    OLDER_LISTED_VERSION,
    /** Snapshot no longer lists a role the trusted snapshot listed. */
    NO_LONGER_LISTED,
    /** {@code N.root.json} carries another version than {@code N}. */
    UNEXPECTED_ROOT_VERSION
  }

  private final Reason reason;
  private final String role;
  private final long trustedVersion;
  private final long foundVersion;
  private final boolean hasFoundVersion;

  private RollbackAttackException(
      String message,
      Reason reason,
      String role,
      long trustedVersion,
      long foundVersion,
      boolean hasFoundVersion) {
    super(message);
    this.reason = reason;
    this.role = role;
    this.trustedVersion = trustedVersion;
    this.foundVersion = foundVersion;
    this.hasFoundVersion = hasFoundVersion;
  }

  /** {@code role} metadata at version {@code found} is older than the trusted {@code trusted}. */
  public static RollbackAttackException of(String role, long trusted, long found) {
    return new RollbackAttackException(
        role + " metadata version " + found + " is older than trusted version " + trusted + SUFFIX,
        Reason.OLDER_VERSION,
        role,
        trusted,
        found,
        true);
  }

  /**
   * {@code listing} metadata (timestamp or snapshot) at {@code listingVersion} names {@code role}
   * at version {@code found}, older than the trusted {@code trusted}.
   */
  public static RollbackAttackException olderListed(
      String listing, long listingVersion, String role, long trusted, long found) {
    return new RollbackAttackException(
        listing
            + " version "
            + listingVersion
            + " names "
            + role
            + " version "
            + found
            + ", older than trusted version "
            + trusted
            + SUFFIX,
        Reason.OLDER_LISTED_VERSION,
        role,
        trusted,
        found,
        true);
  }

  /**
   * Snapshot at {@code snapshotVersion} no longer lists {@code role}, which the trusted snapshot at
   * {@code trustedSnapshotVersion} listed at version {@code trusted}.
   */
  public static RollbackAttackException noLongerListed(
      long snapshotVersion, long trustedSnapshotVersion, String role, long trusted) {
    return new RollbackAttackException(
        "snapshot version "
            + snapshotVersion
            + " no longer lists "
            + role
            + " (trusted snapshot version "
            + trustedSnapshotVersion
            + " did)"
            + SUFFIX,
        Reason.NO_LONGER_LISTED,
        role,
        trusted,
        0,
        false);
  }

  /**
   * The file {@code expected.root.json}, fetched after trusted root {@code trusted}, carries
   * version {@code found}.
   */
  public static RollbackAttackException unexpectedRootVersion(
      long trusted, long expected, long found) {
    return new RollbackAttackException(
        expected
            + ".root.json has version "
            + found
            + ", expected "
            + expected
            + " after trusted root version "
            + trusted
            + SUFFIX,
        Reason.UNEXPECTED_ROOT_VERSION,
        "root",
        trusted,
        found,
        true);
  }

  public Reason reason() {
    return reason;
  }

  /** The role whose version went back (e.g. {@code timestamp}, {@code targets.json}). */
  public String role() {
    return role;
  }

  public long trustedVersion() {
    return trustedVersion;
  }

  /** The version found, empty when the role is no longer listed at all. */
  public OptionalLong foundVersion() {
    return hasFoundVersion ? OptionalLong.of(foundVersion) : OptionalLong.empty();
  }
}
