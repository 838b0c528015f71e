package dev.graft.gateway.runtime;

/** What became of a state handed to a module. */
public sealed interface StateLoad {
  /** {@code graft_load} accepted the blob. */
  record Loaded(int bytes) implements StateLoad {}

  /** The state was not offered to the module; it runs on from its own {@code graft_init}. */
  record Skipped(String reason) implements StateLoad {}

  /** The module faulted while loading; the instance was replaced by a fresh one without it. */
  record Failed(TickResult.Fault fault) implements StateLoad {}
}
