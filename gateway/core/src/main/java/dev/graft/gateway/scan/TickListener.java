package dev.graft.gateway.scan;

import dev.graft.gateway.runtime.TickResult;

/**
 * Told about every tick the scan loop ran, on the scan thread, right after the tick's outputs were
 * handed over (or its fault policy applied). It runs inside the tick cycle: it must return at once
 * and should not allocate.
 */
@FunctionalInterface
public interface TickListener {

  /** A listener that ignores every tick. */
  TickListener NONE = (slot, scheduledNanos, startedNanos, durationNanos, module, version, r) -> {};

  /**
   * One tick ran.
   *
   * @param slot the slot number: slot {@code n} is due {@code n} tick periods after the start; a
   *     missed slot is never reported, so a gap in the numbers is a missed slot
   * @param scheduledNanos when the slot was due, on the loop's {@link MonotonicClock}
   * @param startedNanos when the tick actually started, on the same clock
   * @param durationNanos how long snapshot, tick and output hand-over took
   * @param module the name of the module that ran the tick
   * @param version its version
   * @param result the tick's outputs or its fault
   */
  void onTick(
      long slot,
      long scheduledNanos,
      long startedNanos,
      long durationNanos,
      String module,
      String version,
      TickResult result);
}
