package dev.graft.bundle;

/**
 * A delegation names other keys or another threshold than the gateway pinned for that role (e.g.
 * {@code grants} re-delegated away from the site keys).
 */
public class PinnedKeyMismatchException extends TrustException {
  private static final long serialVersionUID = 1L;

  public PinnedKeyMismatchException(String message) {
    super(message);
  }

  public PinnedKeyMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
