package dev.graft.gateway.scan;

import java.util.concurrent.locks.LockSupport;

/** The scan loop's time source: a monotonic nanosecond clock and a way to wait on it. */
public interface MonotonicClock {

  /** Nanoseconds since an arbitrary origin; only differences mean anything. */
  long nanoTime();

  /** Waits about {@code nanos}; may return early (the loop reads the clock again). */
  void park(long nanos);

  /** {@link System#nanoTime()} and {@link LockSupport#parkNanos(long)}. */
  static MonotonicClock system() {
    return new MonotonicClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void park(long nanos) {
        LockSupport.parkNanos(nanos);
      }
    };
  }
}
