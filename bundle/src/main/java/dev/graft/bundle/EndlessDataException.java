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

  /**
   * Returns {@code data} when it is at most {@code maxLength} bytes long, and refuses it otherwise,
   * naming {@code what}: the one check every repository and the client make on delivered bytes.
   */
  public static byte[] requireWithin(byte[] data, long maxLength, String what) {
    if (data.length > maxLength) {
      throw new EndlessDataException(
          what
              + " is longer than the "
              + maxLength
              + " bytes allowed — possible endless-data attack");
    }
    return data;
  }
}
