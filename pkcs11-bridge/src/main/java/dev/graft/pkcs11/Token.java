package dev.graft.pkcs11;

import dev.graft.pkcs11.internal.MechanismCapabilities;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import dev.graft.pkcs11.internal.TokenDescription;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A token in a slot of a {@link Pkcs11Module}, as it described itself when it was looked up: label,
 * serial number, maker, model and the mechanisms it offers. Open a {@link TokenSession} to use it.
 */
public final class Token {
  /**
   * Sessions per {@link TokenSession} unless the caller asks otherwise; see {@link #openSession}.
   */
  public static final int DEFAULT_PARALLELISM = 4;

  private final Pkcs11Module module;
  private final long slot;
  private final TokenDescription description;
  private final Set<Long> mechanisms;

  private Token(
      Pkcs11Module module, long slot, TokenDescription description, Set<Long> mechanisms) {
    this.module = module;
    this.slot = slot;
    this.description = description;
    this.mechanisms = mechanisms;
  }

  static Token inSlot(Pkcs11Module module, long slot) {
    TokenDescription description = module.cryptoki().tokenDescription(slot);
    Set<Long> mechanisms =
        Arrays.stream(module.cryptoki().mechanisms(slot)).boxed().collect(Collectors.toSet());
    return new Token(module, slot, description, Set.copyOf(mechanisms));
  }

  public Pkcs11Module module() {
    return module;
  }

  public long slotId() {
    return slot;
  }

  public String label() {
    return description.label();
  }

  public String serial() {
    return description.serial();
  }

  public String manufacturer() {
    return description.manufacturer();
  }

  public String model() {
    return description.model();
  }

  /** The token's {@code CK_TOKEN_INFO} flags ({@code CKF_*}). */
  public long flags() {
    return description.flags();
  }

  /** False for the empty slot SoftHSM2 and others keep for creating a new token. */
  public boolean initialized() {
    return (description.flags() & Pkcs11Constants.CKF_TOKEN_INITIALIZED) != 0;
  }

  public boolean loginRequired() {
    return (description.flags() & Pkcs11Constants.CKF_LOGIN_REQUIRED) != 0;
  }

  /** The mechanisms ({@code CKM_*}) the token lists, as of when it was looked up. */
  public Set<Long> mechanisms() {
    return mechanisms;
  }

  /** True if the token lists the mechanism ({@code C_GetMechanismList}). */
  public boolean advertises(long mechanism) {
    return mechanisms.contains(mechanism);
  }

  /**
   * True if the token lists {@code CKM_ML_DSA} (PKCS#11 3.2), so it could hold the ML-DSA half of a
   * composite key natively. Graft only reports this: it keeps using the wrapped mode of {@link
   * TokenCompositeKey} until native signing has been tested against such a token.
   */
  public boolean advertisesMlDsa() {
    return advertises(Pkcs11Constants.CKM_ML_DSA);
  }

  /** Key sizes and {@code CKF_*} flags for a mechanism, or empty when the token lacks it. */
  Optional<MechanismCapabilities> capabilities(long mechanism) {
    return module.cryptoki().mechanismCapabilities(slot, mechanism);
  }

  /** A session with up to {@link #DEFAULT_PARALLELISM} PKCS#11 sessions for concurrent use. */
  public TokenSession openSession() {
    return openSession(DEFAULT_PARALLELISM);
  }

  /**
   * A session that runs up to {@code parallelism} operations at once, each on its own PKCS#11
   * session (capped by the token's own session limit).
   */
  public TokenSession openSession(int parallelism) {
    if (parallelism < 1) {
      throw new Pkcs11Exception("a token session needs a parallelism of at least 1");
    }
    long limit = description.maxRwSessionCount();
    int sessions = parallelism;
    if (limit > 0 && limit != Pkcs11Constants.CK_UNAVAILABLE_INFORMATION && limit < sessions) {
      sessions = (int) limit;
    }
    return new TokenSession(this, sessions);
  }

  /** For messages: "token 'release' (serial 1a2b, module /usr/lib/…/libsofthsm2.so)". */
  String where() {
    return "token '" + label() + "' (serial " + serial() + ", module " + module.path() + ")";
  }

  @Override
  public String toString() {
    return "Token[" + label() + ", serial " + serial() + ", slot " + slot + "]";
  }
}
