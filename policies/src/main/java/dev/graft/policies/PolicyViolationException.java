package dev.graft.policies;

/**
 * Root of every refusal of the policies module: a manifest or grant that does not parse, a module
 * that breaks ABI {@code graft/1}, a request the grant does not allow.
 */
public class PolicyViolationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PolicyViolationException(String message) {
    super(message);
  }

  public PolicyViolationException(String message, Throwable cause) {
    super(message, cause);
  }
}
