package dev.graft.gateway.runtime;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** The outcome of one tick: the outputs it set, or why it was discarded. */
public sealed interface TickResult {

  /**
   * The tick completed and returned 0.
   *
   * @param outputs the outputs the tick set, by point index (manifest order), in the module's units
   */
  record Ok(SortedMap<Integer, Double> outputs) implements TickResult {
    public Ok {
      outputs = Collections.unmodifiableSortedMap(new TreeMap<>(outputs));
    }
  }

  /** The tick's outputs were discarded; the instance that ran it has been replaced. */
  record Fault(FaultKind kind, String detail) implements TickResult {}
}
