package dev.graft.bundle;

import java.time.Instant;

/**
 * The system clock reads a time below the latest time the gateway has already seen (its time
 * floor): the clock was set back, so no new install is authorised until it is corrected.
 */
public final class ClockBelowFloorException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final Instant clock;
  private final Instant floor;

  private ClockBelowFloorException(Instant clock, Instant floor) {
    super(
        "the system clock reads "
            + clock
            + ", before the time floor "
            + floor
            + " this gateway has already seen — the clock was set back; refusing to authorise a"
            + " new install until the clock is corrected (the running logic is not affected)");
    this.clock = clock;
    this.floor = floor;
  }

  /** The system clock reads {@code clock}, before the time {@code floor}. */
  public static ClockBelowFloorException of(Instant clock, Instant floor) {
    return new ClockBelowFloorException(clock, floor);
  }

  /** What the system clock read. */
  public Instant clock() {
    return clock;
  }

  public Instant floor() {
    return floor;
  }
}
