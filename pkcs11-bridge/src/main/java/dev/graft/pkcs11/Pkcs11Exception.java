package dev.graft.pkcs11;

/**
 * Root of every failure of the PKCS#11 bridge: a bad URI, a token that refused an operation (with
 * its {@code CKR_*} code named and explained), a missing object. Messages name the URI or token,
 * never a PIN.
 */
public class Pkcs11Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public Pkcs11Exception(String message) {
    super(message);
  }

  public Pkcs11Exception(String message, Throwable cause) {
    super(message, cause);
  }
}
