package dev.graft.gateway.agent.journal;

/** The states of the update pipeline on the gateway, in the order of the ABI's pipeline table. */
public enum PipelineState {
  FETCH,
  DOWNLOAD,
  STAGE,
  PREFLIGHT,
  SWAP,
  WATCH,
  COMMIT
}
