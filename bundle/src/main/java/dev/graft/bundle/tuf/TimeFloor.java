package dev.graft.bundle.tuf;

import dev.graft.bundle.ClockBelowFloorException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.metadata.Timestamp;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * The gateway's time floor: the latest wall-clock time it has seen, persisted through a {@link
 * TrustedStore}, so that a clock set back (a gateway that boots in 1970, or an attacker with access
 * to its time source) cannot un-expire metadata. Times come from the system clock whenever it is
 * read and from verified timestamp metadata ({@link #observeTimestamp}). {@link #clock()} is the
 * clock to give a {@link TufClient}: it never reads below the floor. {@link #requireClockAtFloor()}
 * is the check before authorising a new install; it refuses while the system clock is below the
 * floor, and concerns installs only — running logic is never stopped by it.
 *
 * <p>Use a store of its own: a TUF client's store holds roles under names the repository chooses.
 * One instance is owned by the update agent; its methods are synchronised so the clock view may be
 * read from the client's thread too.
 */
public final class TimeFloor {
  /** The name under which the floor is stored. */
  public static final String STORE_NAME = "time-floor";

  private final Clock system;
  private final TrustedStore store;
  private Instant floor;

  /**
   * Reads the stored floor (the epoch when there is none).
   *
   * @throws TrustException when the stored floor is unreadable: it is not silently reset, since a
   *     reset would lower it
   */
  public TimeFloor(Clock system, TrustedStore store) {
    this.system = Objects.requireNonNull(system, "system");
    this.store = Objects.requireNonNull(store, "store");
    this.floor = store.load(STORE_NAME).map(TimeFloor::parse).orElse(Instant.EPOCH);
  }

  /** The latest time seen so far. */
  public synchronized Instant floor() {
    return floor;
  }

  /**
   * The current time for trust decisions: the system clock, or the floor while the system clock is
   * below it. A system clock above the floor raises (and persists) the floor.
   */
  public synchronized Instant now() {
    Instant seen = system.instant();
    observe(seen);
    return seen.isBefore(floor) ? floor : seen;
  }

  /** A {@link Clock} view of {@link #now()}, for {@link TufClient.Builder#clock}. */
  public Clock clock() {
    return new Floored();
  }

  /**
   * Raises the floor to a time known to have passed (never lowers it); persists a raised floor at
   * one-second resolution.
   */
  public synchronized void observe(Instant seen) {
    Instant truncated = seen.truncatedTo(ChronoUnit.SECONDS);
    if (truncated.isAfter(floor)) {
      floor = truncated;
      store.store(STORE_NAME, floor.toString().getBytes(StandardCharsets.US_ASCII));
    }
  }

  /**
   * Raises the floor from verified timestamp metadata: TUF timestamps carry no signing time, but
   * one that expires at E and was signed with a lifetime of at most {@code maxLifetime} was signed
   * no earlier than E − maxLifetime, so that time has passed. The lifetime is the repository's
   * configured timestamp lifetime; a value too small raises the floor too far (see {@code
   * docs/threat-model.md}).
   */
  public void observeTimestamp(Timestamp verified, Duration maxLifetime) {
    if (maxLifetime.isNegative() || maxLifetime.isZero()) {
      throw new IllegalArgumentException("the timestamp lifetime must be positive");
    }
    observe(verified.expires().minus(maxLifetime));
  }

  /**
   * Refuses to authorise a new install while the system clock is below the floor.
   *
   * @throws ClockBelowFloorException when it is
   */
  public synchronized void requireClockAtFloor() {
    Instant seen = system.instant();
    if (seen.isBefore(floor)) {
      throw ClockBelowFloorException.of(seen, floor);
    }
    observe(seen);
  }

  private static Instant parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII).trim();
    try {
      return Instant.parse(text);
    } catch (DateTimeException e) {
      throw new TrustException(
          "the stored time floor '"
              + text
              + "' is unreadable; refusing to guess a lower one — restore it or re-commission the"
              + " gateway",
          e);
    }
  }

  private final class Floored extends Clock {
    @Override
    public ZoneId getZone() {
      return system.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the time floor clock is UTC only");
    }

    @Override
    public Instant instant() {
      return now();
    }

    @Override
    public String toString() {
      return "TimeFloor.clock(floor " + floor() + ", " + system + ")";
    }
  }

  /** The floor currently stored, if any; for tests and diagnostics. */
  public static Optional<Instant> stored(TrustedStore store) {
    return store.load(STORE_NAME).map(TimeFloor::parse);
  }
}
