package dev.graft.bundle;

/** A bundle file that breaks the bundle format rules. */
public class BundleFormatException extends TrustException {
  private static final long serialVersionUID = 1L;

  public BundleFormatException(String message) {
    super(message);
  }

  public BundleFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
