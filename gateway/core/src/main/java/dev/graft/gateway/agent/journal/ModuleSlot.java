package dev.graft.gateway.agent.journal;

/** Where a module stands on this gateway. */
public enum ModuleSlot {
  /** The module that runs (after COMMIT, the known-good one). */
  INSTALLED,
  /** The rollback target kept by COMMIT. */
  PREVIOUS,
  /** The module the current update verified and wrote to disk, not yet running. */
  STAGED
}
