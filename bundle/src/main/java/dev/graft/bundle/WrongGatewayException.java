package dev.graft.bundle;

/** Director metadata addressed to another gateway. */
public class WrongGatewayException extends TrustException {
  private static final long serialVersionUID = 1L;

  public WrongGatewayException(String message) {
    super(message);
  }

  public WrongGatewayException(String message, Throwable cause) {
    super(message, cause);
  }
}
