package dev.graft.gateway.field;

import java.time.Duration;
import java.util.Map;

/**
 * How a {@link FieldSite} talks to its devices.
 *
 * @param pollPeriod how often a device's inputs are read, unless {@code devicePollPeriods} names
 *     the device
 * @param devicePollPeriods poll periods of single devices, by grant device name
 * @param requestTimeout how long one request (or connection attempt) may take
 * @param backoffInitial the wait before the first reconnection attempt after a link is lost; it
 *     doubles with each failed attempt
 * @param backoffMax the cap on that wait
 * @param maxGap the widest run of unmapped Modbus addresses one read may span to join two mapped
 *     ranges; 0 reads only contiguous mapped addresses together
 * @param staleAfter an input older than this is reported stale
 * @param rewritePeriod how often every output is written again even if it did not change
 */
public record FieldOptions(
    Duration pollPeriod,
    Map<String, Duration> devicePollPeriods,
    Duration requestTimeout,
    Duration backoffInitial,
    Duration backoffMax,
    int maxGap,
    Duration staleAfter,
    Duration rewritePeriod) {

  public FieldOptions {
    devicePollPeriods = Map.copyOf(devicePollPeriods);
    positive("pollPeriod", pollPeriod);
    devicePollPeriods.forEach((device, period) -> positive("poll period of " + device, period));
    positive("requestTimeout", requestTimeout);
    positive("backoffInitial", backoffInitial);
    positive("staleAfter", staleAfter);
    positive("rewritePeriod", rewritePeriod);
    if (backoffMax.compareTo(backoffInitial) < 0) {
      throw new IllegalArgumentException(
          "backoffMax " + backoffMax + " is below backoffInitial " + backoffInitial);
    }
    if (maxGap < 0 || maxGap > 100) {
      throw new IllegalArgumentException("maxGap " + maxGap + " is outside 0–100");
    }
  }

  /**
   * Polls every 100 ms, 1 s per request, reconnects after 0.2 s doubling to 10 s, joins ranges
   * across up to 8 unmapped registers, stale after 3 s, rewrites outputs every second (well inside
   * a typical PLC communication watchdog of a few seconds).
   */
  public static FieldOptions defaults() {
    return new FieldOptions(
        Duration.ofMillis(100),
        Map.of(),
        Duration.ofSeconds(1),
        Duration.ofMillis(200),
        Duration.ofSeconds(10),
        8,
        Duration.ofSeconds(3),
        Duration.ofSeconds(1));
  }

  /** The poll period of one device. */
  public Duration pollPeriod(String device) {
    return devicePollPeriods.getOrDefault(device, pollPeriod);
  }

  private static void positive(String what, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, not " + duration);
    }
  }
}
