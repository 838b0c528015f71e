package dev.graft.it;

import dev.graft.gateway.scan.MonotonicClock;
import java.util.concurrent.locks.LockSupport;

/**
 * The scan loop's clock for a simulated site that runs {@code speed} times faster than real time:
 * one real nanosecond counts {@code speed} nanoseconds. The module's {@code now_ms} and its tick
 * period then advance at the same nominal rate as the plant's simulated time, so a PID's {@code dt}
 * and a time-proportioning window mean plant seconds, as they would on a real site at speed 1.
 */
final class ScaledClock implements MonotonicClock {
  private final double speed;
  private final long origin = System.nanoTime();

  ScaledClock(double speed) {
    if (!(speed >= 1)) {
      throw new IllegalArgumentException("speed " + speed + " must be at least 1");
    }
    this.speed = speed;
  }

  @Override
  public long nanoTime() {
    return Math.round((System.nanoTime() - origin) * speed);
  }

  @Override
  public void park(long nanos) {
    LockSupport.parkNanos(Math.max(1, Math.round(nanos / speed)));
  }
}
