package dev.graft.bundle;

/** A download that exceeded the length its role or target is allowed: the endless-data attack. */
public class EndlessDataException extends TrustException {
  private static final long serialVersionUID = 1L;

  public EndlessDataException(String message) {
    super(message);
  }

  public EndlessDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
