package dev.graft.bundle.director;

import dev.graft.bundle.metadata.TargetFile;

/** The outcome of comparing director and image repository for one gateway. */
public sealed interface Agreement {
  /**
   * Both agree: install {@code target} (the image repository's entry), described by {@code
   * release}.
   */
  record Agreed(TargetFile target, ReleaseInfo release) implements Agreement {}

  /** They do not agree, or the gateway must not take the target; {@code reason} says why. */
  record Refused(Reason reason, String message) implements Agreement {}

  /** Why an agreement was refused, so callers can branch (a downgrade is not a disagreement). */
  enum Reason {
    NO_TARGET,
    AMBIGUOUS,
    NOT_RELEASED,
    DIFFERENT_CONTENT,
    WRONG_HARDWARE,
    BELOW_FLOOR,
    MALFORMED
  }
}
