package dev.graft.pkcs11;

/** No object on the token matches a search that needs exactly one (a key by label or id). */
public final class ObjectNotFoundException extends Pkcs11Exception {
  private static final long serialVersionUID = 1L;

  public ObjectNotFoundException(String message) {
    super(message);
  }
}
