package dev.graft.bundle;

/** Metadata whose expiry has passed: the freeze attack, or a repository that stopped refreshing. */
public class ExpiredMetadataException extends TrustException {
  private static final long serialVersionUID = 1L;

  public ExpiredMetadataException(String message) {
    super(message);
  }

  public ExpiredMetadataException(String message, Throwable cause) {
    super(message, cause);
  }
}
