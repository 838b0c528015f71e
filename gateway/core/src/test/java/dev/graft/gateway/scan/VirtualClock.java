package dev.graft.gateway.scan;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Time that passes only when the scan loop waits (or a test says so), so slot numbers do not depend
 * on how loaded the machine is. Each wait also yields a little real time, so the test's own thread
 * can act between ticks.
 */
final class VirtualClock implements MonotonicClock {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Override
  public long nanoTime() {
    return now.get();
  }

  @Override
  public void park(long nanos) {
    now.addAndGet(nanos);
    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
  }

  /** A tick that takes {@code millis} of this clock's time. */
  void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
