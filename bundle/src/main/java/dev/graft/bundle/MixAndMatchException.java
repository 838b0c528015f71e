package dev.graft.bundle;

/**
 * Metadata that does not belong to the set trusted so far (version or hash different from what the
 * snapshot or timestamp names).
 */
public class MixAndMatchException extends TrustException {
  private static final long serialVersionUID = 1L;

  public MixAndMatchException(String message) {
    super(message);
  }

  public MixAndMatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
