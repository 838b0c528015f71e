package dev.graft.bundle;

/** An offline role lists a non-composite key while hybrid signatures are required. */
public class HybridRequiredException extends TrustException {
  private static final long serialVersionUID = 1L;

  public HybridRequiredException(String message) {
    super(message);
  }

  public HybridRequiredException(String message, Throwable cause) {
    super(message, cause);
  }
}
