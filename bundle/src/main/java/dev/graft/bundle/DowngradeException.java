package dev.graft.bundle;

/** A target whose release counter is below the gateway's floor. */
public class DowngradeException extends TrustException {
  private static final long serialVersionUID = 1L;

  public DowngradeException(String message) {
    super(message);
  }

  public DowngradeException(String message, Throwable cause) {
    super(message, cause);
  }
}
