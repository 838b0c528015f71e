package dev.graft.bundle;

/**
 * A version older than the trusted one (or an equal version with other content): a rollback attack.
 */
public class RollbackAttackException extends TrustException {
  private static final long serialVersionUID = 1L;

  public RollbackAttackException(String message) {
    super(message);
  }

  public RollbackAttackException(String message, Throwable cause) {
    super(message, cause);
  }
}
