package dev.graft.bundle;

import java.util.OptionalInt;

/**
 * A delegation names other keys or another threshold than the gateway pinned for that role (e.g.
 * {@code grants} re-delegated away from the site keys).
 */
public final class PinnedKeyMismatchException extends TrustException {
  private static final long serialVersionUID = 1L;

  /** What differs from the pin. */
  public enum Reason {
    /** The delegation names a key id its key list lacks. */
    UNLISTED_KEY,
    OTHER_KEYS,
    OTHER_THRESHOLD
  }

  private final Reason reason;
  private final String delegator;
  private final String role;
  private final int pinned;
  private final int found;

  private PinnedKeyMismatchException(
      Reason reason, String delegator, String role, String what, int pinned, int found) {
    super(
        "the delegation from "
            + delegator
            + " to "
            + role
            + " "
            + what
            + " — possible compromise of the "
            + delegator
            + " key; refusing the "
            + role
            + " role (its keys are a trust anchor of this client; re-commission it to change"
            + " them)");
    this.reason = reason;
    this.delegator = delegator;
    this.role = role;
    this.pinned = pinned;
    this.found = found;
  }

  /** {@code delegator} delegates {@code role} to a {@code keyId} its key list does not hold. */
  public static PinnedKeyMismatchException unlistedKey(
      String delegator, String role, String keyId) {
    return new PinnedKeyMismatchException(
        Reason.UNLISTED_KEY,
        delegator,
        role,
        "names key id " + keyId + ", which it does not list",
        -1,
        -1);
  }

  /** {@code delegator} delegates {@code role} to other keys than the {@code pinnedKeys} pinned. */
  public static PinnedKeyMismatchException otherKeys(
      String delegator, String role, int pinnedKeys) {
    return new PinnedKeyMismatchException(
        Reason.OTHER_KEYS,
        delegator,
        role,
        "names other keys than the " + pinnedKeys + " pinned key(s)",
        pinnedKeys,
        -1);
  }

  /** {@code delegator} sets {@code found} as {@code role}'s threshold instead of {@code pinned}. */
  public static PinnedKeyMismatchException otherThreshold(
      String delegator, String role, int pinned, int found) {
    return new PinnedKeyMismatchException(
        Reason.OTHER_THRESHOLD,
        delegator,
        role,
        "sets threshold " + found + " instead of the pinned threshold " + pinned,
        pinned,
        found);
  }

  public Reason reason() {
    return reason;
  }

  /** The role whose delegation was changed, e.g. {@code targets}. */
  public String delegator() {
    return delegator;
  }

  /** The pinned role, e.g. {@code grants}. */
  public String role() {
    return role;
  }

  /**
   * The pinned key count ({@link Reason#OTHER_KEYS}) or threshold ({@link Reason#OTHER_THRESHOLD});
   * empty for {@link Reason#UNLISTED_KEY}.
   */
  public OptionalInt pinned() {
    return reason == Reason.UNLISTED_KEY ? OptionalInt.empty() : OptionalInt.of(pinned);
  }

  /** The threshold the delegation sets; empty for {@link Reason#OTHER_KEYS}. */
  public OptionalInt foundThreshold() {
    return reason == Reason.OTHER_THRESHOLD ? OptionalInt.of(found) : OptionalInt.empty();
  }
}
