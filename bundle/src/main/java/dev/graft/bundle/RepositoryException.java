package dev.graft.bundle;

/**
 * The repository could not deliver a file (not found, I/O failure, timeout). Not a verdict on
 * content.
 */
public class RepositoryException extends TrustException {
  private static final long serialVersionUID = 1L;

  public RepositoryException(String message) {
    super(message);
  }

  public RepositoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
