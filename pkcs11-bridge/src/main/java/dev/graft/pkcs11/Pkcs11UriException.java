package dev.graft.pkcs11;

/**
 * A PKCS#11 URI that Graft refuses: malformed under RFC 7512, naming an attribute Graft does not
 * know, or not naming enough to find a key. The message quotes the URI with any {@code pin-value}
 * replaced by {@code <redacted>} and says what is wrong, where (a character position, counting from
 * 1, in the URI as given) and which attribute.
 */
public class Pkcs11UriException extends Pkcs11Exception {
  private static final long serialVersionUID = 1L;

  public Pkcs11UriException(String message) {
    super(message);
  }
}
