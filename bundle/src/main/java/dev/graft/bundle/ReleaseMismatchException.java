package dev.graft.bundle;

/**
 * A bundle's manifest names another module or version than the image repository signed for its
 * target ({@code custom.graft}): the signed fields are the ones that count, so the bundle is
 * refused.
 */
public class ReleaseMismatchException extends TrustException {
  private static final long serialVersionUID = 1L;

  public ReleaseMismatchException(String message) {
    super(message);
  }

  public ReleaseMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
