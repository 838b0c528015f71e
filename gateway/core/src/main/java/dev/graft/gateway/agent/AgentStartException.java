package dev.graft.gateway.agent;

/**
 * The agent cannot start: its journal fails its integrity check, the installed module's file is
 * missing or altered, the grant or an anchor is not what it must be. The message names the problem
 * and what to do; nothing was changed.
 */
public final class AgentStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AgentStartException(String message, Throwable cause) {
    super(message, cause);
  }

  public AgentStartException(String message) {
    super(message);
  }
}
