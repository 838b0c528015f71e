package dev.graft.pkcs11.internal;

/**
 * What a token says it can do with one mechanism ({@code C_GetMechanismInfo}): key sizes (bits or
 * bytes, as the mechanism defines) and {@code CKF_*} flags such as {@link
 * Pkcs11Constants#CKF_SIGN}.
 */
public record MechanismCapabilities(long mechanism, long minKeySize, long maxKeySize, long flags) {
  /** True when every bit of {@code flag} is set, e.g. {@code can(CKF_SIGN)}. */
  public boolean can(long flag) {
    return (flags & flag) == flag;
  }
}
