package dev.graft.pkcs11;

/**
 * A secret (a token PIN, a key file passphrase) that cannot be had: its file is missing, readable
 * by other users or empty, its environment variable is unset, there is no terminal to ask on, or
 * its source is written in a form Graft does not read. Messages name the source, never the secret.
 */
public class SecretSourceException extends Pkcs11Exception {
  private static final long serialVersionUID = 1L;

  public SecretSourceException(String message) {
    super(message);
  }

  public SecretSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
