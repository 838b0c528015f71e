package dev.graft.gateway.runtime;

import java.util.List;

/**
 * What a preflight found: the self-test's outcome and every shadow tick's result (their outputs
 * were not written anywhere).
 *
 * @param selfTest {@code passed}, {@code not requested}, {@code not exported}, or why it failed
 * @param shadowTicks each shadow tick's result, in order
 * @param refusals {@code point_set} calls refused during the preflight
 */
public record PreflightReport(
    boolean passed, String selfTest, List<TickResult> shadowTicks, long refusals) {
  public PreflightReport {
    shadowTicks = List.copyOf(shadowTicks);
  }

  /** The shadow ticks that faulted. */
  public List<TickResult.Fault> faults() {
    return shadowTicks.stream()
        .filter(TickResult.Fault.class::isInstance)
        .map(TickResult.Fault.class::cast)
        .toList();
  }
}
