package dev.graft.bundle;

/** Fewer distinct keys signed than the role's threshold requires. */
public class ThresholdException extends TrustException {
  private static final long serialVersionUID = 1L;

  public ThresholdException(String message) {
    super(message);
  }

  public ThresholdException(String message, Throwable cause) {
    super(message, cause);
  }
}
