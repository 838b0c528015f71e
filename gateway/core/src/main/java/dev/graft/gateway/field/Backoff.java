package dev.graft.gateway.field;

import java.time.Duration;

/** Capped exponential backoff between reconnection attempts: initial, ×2 each failure, ≤ max. */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private long currentNanos;

  Backoff(Duration initial, Duration max) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.currentNanos = initialNanos;
  }

  /** The wait before the next attempt; each call doubles the following one, up to the cap. */
  long nextNanos() {
    long wait = currentNanos;
    currentNanos = Math.min(currentNanos * 2, maxNanos);
    return wait;
  }

  /** After a success: the next failure waits the initial time again. */
  void reset() {
    currentNanos = initialNanos;
  }
}
