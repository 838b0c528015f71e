package dev.graft.gateway.runtime;

import java.util.List;

/**
 * What a preflight found: the self-test's outcome, every shadow tick's result (their outputs were
 * not written anywhere) and the state round trip's outcome.
 *
 * @param selfTest {@code passed}, {@code not requested}, {@code not exported}, or why it failed
 * @param shadowTicks each shadow tick's result, in order
 * @param stateRoundTrip {@code passed (N bytes)} (the module saved its state and loaded it back),
 *     {@code not exported}, {@code save only (why)}, or why it failed
 * @param refusals {@code point_set} calls refused during the preflight
 * @param jitNotes functions too large for HotSpot to JIT-compile unless the JVM runs with {@code
 *     -XX:-DontCompileHugeMethods}, and whether this one does ({@link ControlLogic#jitNotes()})
 */
public record PreflightReport(
    boolean passed,
    String selfTest,
    List<TickResult> shadowTicks,
    String stateRoundTrip,
    long refusals,
    List<String> jitNotes) {
  public PreflightReport {
    shadowTicks = List.copyOf(shadowTicks);
    jitNotes = List.copyOf(jitNotes);
  }

  /** The shadow ticks that faulted. */
  public List<TickResult.Fault> faults() {
    return shadowTicks.stream()
        .filter(TickResult.Fault.class::isInstance)
        .map(TickResult.Fault.class::cast)
        .toList();
  }
}
