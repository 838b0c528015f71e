package dev.graft.pkcs11.internal;

import dev.graft.pkcs11.Pkcs11Exception;
import java.util.Optional;

/**
 * A PKCS#11 function returned something other than {@code CKR_OK}. The message names the function,
 * the return value and what it means, and where it happened (module or token), never a PIN: "token
 * 'release': C_Login returned CKR_PIN_INCORRECT (0xA0): the PIN is wrong".
 */
public final class CkrException extends Pkcs11Exception {
  private static final long serialVersionUID = 1L;

  private final long code;
  private final String function;

  public CkrException(String function, long code, String where) {
    super(message(function, code, where));
    this.code = code;
    this.function = function;
  }

  private CkrException(String function, long code, String where, CkrException cause) {
    super(message(function, code, where), cause);
    this.code = code;
    this.function = function;
  }

  /** The same failure, said to have happened in {@code where} (a token label, a URI). */
  public CkrException in(String where) {
    return new CkrException(function, code, where, this);
  }

  /** The raw return value. */
  public long code() {
    return code;
  }

  /** The return value as a named constant, or empty for vendor-defined and unknown codes. */
  public Optional<Ckr> ckr() {
    return Ckr.of(code);
  }

  public boolean is(Ckr ckr) {
    return ckr.code() == code;
  }

  /** The PKCS#11 function that failed, e.g. {@code C_Login}. */
  public String function() {
    return function;
  }

  /** {@code CKR_PIN_INCORRECT}, or the code in hex when PKCS#11 does not name it. */
  public String codeName() {
    return Ckr.nameOf(code);
  }

  public String explanation() {
    return Ckr.explain(code);
  }

  private static String message(String function, long code, String where) {
    String name = Ckr.nameOf(code);
    String hex = Ckr.hex(code);
    String value = name.equals(hex) ? hex : name + " (" + hex + ")";
    return where + ": " + function + " returned " + value + ": " + Ckr.explain(code);
  }
}
