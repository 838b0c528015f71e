package dev.graft.gateway.scan;

import dev.graft.gateway.runtime.StateLoad;
import java.util.List;

/** What became of a swap request. */
public sealed interface SwapOutcome {

  /**
   * The successor is running: it ran slot {@code firstSlot} and every slot after it.
   *
   * @param state whether the state of the module it replaced was loaded into it, or why not (it
   *     then runs on from its own {@code graft_init})
   * @param outputsToSafe the outputs the replaced module drove and the successor does not declare,
   *     which the swap put to their safe value ({@code device target}, e.g. {@code plc coil 4})
   */
  record Swapped(long firstSlot, StateLoad state, List<String> outputsToSafe)
      implements SwapOutcome {
    public Swapped {
      outputsToSafe = List.copyOf(outputsToSafe);
    }

    /** A swap that left no output behind. */
    public Swapped(long firstSlot, StateLoad state) {
      this(firstSlot, state, List.of());
    }
  }

  /**
   * The swap did not happen in time because its preconditions did not hold; the running module and
   * its port are untouched. The caller may ask again.
   */
  record Held(String reason) implements SwapOutcome {}

  /** The swap cannot be made as asked; the running module and its port are untouched. */
  record Refused(String reason) implements SwapOutcome {}
}
