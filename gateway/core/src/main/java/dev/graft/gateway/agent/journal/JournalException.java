package dev.graft.gateway.agent.journal;

/** The journal could not be read or written; the transition it was asked for did not happen. */
public class JournalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JournalException(String message) {
    super(message);
  }

  public JournalException(String message, Throwable cause) {
    super(message, cause);
  }
}
