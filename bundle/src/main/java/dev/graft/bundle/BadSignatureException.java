package dev.graft.bundle;

/** A signature list that is malformed as a whole, such as two signatures carrying one key id. */
public class BadSignatureException extends TrustException {
  private static final long serialVersionUID = 1L;

  public BadSignatureException(String message) {
    super(message);
  }

  public BadSignatureException(String message, Throwable cause) {
    super(message, cause);
  }
}
