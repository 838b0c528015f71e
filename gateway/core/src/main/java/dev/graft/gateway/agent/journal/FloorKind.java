package dev.graft.gateway.agent.journal;

/** The two floors that only ever rise. */
public enum FloorKind {
  /** The lowest release counter the gateway accepts. */
  RELEASE,
  /** The lowest metadata time the gateway accepts, in epoch milliseconds. */
  TIME
}
