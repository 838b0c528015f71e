package dev.graft.bundle;

/** Director and image repository do not agree on the target to install. */
public class DirectorDisagreementException extends TrustException {
  private static final long serialVersionUID = 1L;

  public DirectorDisagreementException(String message) {
    super(message);
  }

  public DirectorDisagreementException(String message, Throwable cause) {
    super(message, cause);
  }
}
