package dev.graft.bundle;

/**
 * Root of every refusal the trust core makes. Subclasses name the rule that was broken, and every
 * message says which role, which version, what was expected and what was found.
 */
public class TrustException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrustException(String message) {
    super(message);
  }

  public TrustException(String message, Throwable cause) {
    super(message, cause);
  }
}
