package dev.graft.gateway.runtime;

/**
 * The negative codes host functions return to a module. The numbers are ABI: they are listed in
 * {@code docs/error-codes.md} and in {@code examples/include/graft.h}, and must never be
 * renumbered.
 */
public enum HostError {
  /** {@code point_set} on a point the manifest declares as an input. */
  NOT_AN_OUTPUT(-1),
  /** An index outside the manifest's {@code points} list. */
  NOT_A_POINT(-2),
  /** {@code point_set} with NaN or an infinity. */
  NOT_FINITE(-3),
  /** {@code point_set} whose value, scaled to raw device units, lies outside the grant's range. */
  OUT_OF_RANGE(-4),
  /** A pointer and length that do not lie inside the module's memory. */
  BAD_POINTER(-5);

  private final int code;

  HostError(int code) {
    this.code = code;
  }

  /** The value the host function returns to the module. */
  public int code() {
    return code;
  }
}
