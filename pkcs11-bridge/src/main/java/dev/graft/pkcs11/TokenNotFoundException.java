package dev.graft.pkcs11;

/** No token in the module matches what was asked for (label, serial or slot). */
public final class TokenNotFoundException extends Pkcs11Exception {
  private static final long serialVersionUID = 1L;

  public TokenNotFoundException(String message) {
    super(message);
  }
}
