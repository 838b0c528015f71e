package dev.graft.gateway.runtime;

/** Why a call into a module was abandoned. */
public enum FaultKind {
  /** The module trapped (unreachable, bad memory access, division by zero, proc_exit, ...). */
  TRAP,
  /** The call ran past its time budget and was interrupted. */
  BUDGET_EXCEEDED,
  /** {@code graft_tick} (or another lifecycle call) returned a non-zero fault code. */
  NONZERO_RETURN,
  /** The host could not give the module the memory it needed. */
  MEMORY_LIMIT,
  /** The module recursed deeper than the worker thread's stack. */
  STACK_OVERFLOW
}
