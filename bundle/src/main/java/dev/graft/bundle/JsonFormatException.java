package dev.graft.bundle;

/**
 * Input that is not JSON as the trust core accepts it: malformed, non-canonical where canonical is
 * required, beyond a size or nesting cap, or of the wrong shape for the document it claims to be.
 */
public class JsonFormatException extends TrustException {
  private static final long serialVersionUID = 1L;

  public JsonFormatException(String message) {
    super(message);
  }

  public JsonFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
