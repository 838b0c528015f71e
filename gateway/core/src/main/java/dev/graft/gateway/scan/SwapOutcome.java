package dev.graft.gateway.scan;

import dev.graft.gateway.runtime.StateLoad;

/** What became of a swap request. */
public sealed interface SwapOutcome {

  /**
   * The successor is running: it ran slot {@code firstSlot} and every slot after it.
   *
   * @param state whether the state of the module it replaced was loaded into it, or why not (it
   *     then runs on from its own {@code graft_init})
   */
  record Swapped(long firstSlot, StateLoad state) implements SwapOutcome {}

  /**
   * The swap did not happen in time because its preconditions did not hold; the running module and
   * its port are untouched. The caller may ask again.
   */
  record Held(String reason) implements SwapOutcome {}

  /** The swap cannot be made as asked; the running module and its port are untouched. */
  record Refused(String reason) implements SwapOutcome {}
}
