package dev.graft.bundle;

/**
 * The system clock reads a time below the latest time the gateway has already seen (its time
 * floor): the clock was set back, so no new install is authorised until it is corrected.
 */
public class ClockBelowFloorException extends TrustException {
  private static final long serialVersionUID = 1L;

  public ClockBelowFloorException(String message) {
    super(message);
  }

  public ClockBelowFloorException(String message, Throwable cause) {
    super(message, cause);
  }
}
