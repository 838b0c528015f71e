package dev.graft.gateway.scan;

import dev.graft.gateway.runtime.TickResult;
import java.util.ArrayList;
import java.util.List;

/** Records every tick the loop reports, for assertions on slot numbers rather than timing. */
final class TickRecorder implements TickListener {

  record Tick(long slot, long scheduledNanos, String module, String version, TickResult result) {
    /** The counter module's count, which it writes to point 2 (level). */
    double level() {
      return result instanceof TickResult.Ok ok ? ok.outputs().getOrDefault(2, -1.0) : -1.0;
    }
  }

  private final List<Tick> ticks = new ArrayList<>();

  @Override
  public synchronized void onTick(
      long slot,
      long scheduledNanos,
      long startedNanos,
      long durationNanos,
      String module,
      String version,
      TickResult result) {
    ticks.add(new Tick(slot, scheduledNanos, module, version, result));
  }

  synchronized List<Tick> ticks() {
    return List.copyOf(ticks);
  }

  synchronized int size() {
    return ticks.size();
  }
}
