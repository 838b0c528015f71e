package dev.graft.pkcs11.internal;

import dev.graft.pkcs11.Token;

/**
 * The PKCS#11 constants Graft uses, named exactly as in the specification so they can be looked up
 * there. Public because callers ask {@link Token#advertises(long)} about mechanisms and read
 * attributes by type; the values are the same on every platform.
 */
public final class Pkcs11Constants {
  private Pkcs11Constants() {}

  /**
   * What a {@code CK_ULONG} field holds when the token cannot say (for example a sensitive value).
   */
  public static final long CK_UNAVAILABLE_INFORMATION = ~0L;

  /** {@code max_session_count} meaning "no limit". */
  public static final long CK_EFFECTIVELY_INFINITE = 0L;

  // Object classes.
  public static final long CKO_DATA = 0x0L;
  public static final long CKO_CERTIFICATE = 0x1L;
  public static final long CKO_PUBLIC_KEY = 0x2L;
  public static final long CKO_PRIVATE_KEY = 0x3L;
  public static final long CKO_SECRET_KEY = 0x4L;

  // Key types.
  public static final long CKK_EC = 0x3L;
  public static final long CKK_GENERIC_SECRET = 0x10L;
  public static final long CKK_AES = 0x1FL;
  public static final long CKK_EC_EDWARDS = 0x40L;

  /** PKCS#11 3.2. Graft reports tokens that offer ML-DSA but does not use it yet. */
  public static final long CKK_ML_DSA = 0x4AL;

  // Attributes.
  public static final long CKA_CLASS = 0x000L;
  public static final long CKA_TOKEN = 0x001L;
  public static final long CKA_PRIVATE = 0x002L;
  public static final long CKA_LABEL = 0x003L;
  public static final long CKA_APPLICATION = 0x010L;
  public static final long CKA_VALUE = 0x011L;
  public static final long CKA_OBJECT_ID = 0x012L;
  public static final long CKA_KEY_TYPE = 0x100L;
  public static final long CKA_ID = 0x102L;
  public static final long CKA_SENSITIVE = 0x103L;
  public static final long CKA_ENCRYPT = 0x104L;
  public static final long CKA_DECRYPT = 0x105L;
  public static final long CKA_WRAP = 0x106L;
  public static final long CKA_UNWRAP = 0x107L;
  public static final long CKA_SIGN = 0x108L;
  public static final long CKA_VERIFY = 0x10AL;
  public static final long CKA_DERIVE = 0x10CL;
  public static final long CKA_VALUE_LEN = 0x161L;
  public static final long CKA_EXTRACTABLE = 0x162L;
  public static final long CKA_LOCAL = 0x163L;
  public static final long CKA_NEVER_EXTRACTABLE = 0x164L;
  public static final long CKA_ALWAYS_SENSITIVE = 0x165L;
  public static final long CKA_MODIFIABLE = 0x170L;
  public static final long CKA_COPYABLE = 0x171L;
  public static final long CKA_DESTROYABLE = 0x172L;
  public static final long CKA_EC_PARAMS = 0x180L;
  public static final long CKA_EC_POINT = 0x181L;

  /** PKCS#11 3.2: the ML-DSA parameter set of a key ({@code CKP_ML_DSA_*}). */
  public static final long CKA_PARAMETER_SET = 0x61DL;

  // Mechanisms.
  public static final long CKM_EC_KEY_PAIR_GEN = 0x1040L;
  public static final long CKM_ECDSA = 0x1041L;
  public static final long CKM_ECDSA_SHA256 = 0x1044L;
  public static final long CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055L;
  public static final long CKM_EDDSA = 0x1057L;
  public static final long CKM_AES_KEY_GEN = 0x1080L;
  public static final long CKM_AES_GCM = 0x1087L;

  /** PKCS#11 3.2 ML-DSA key generation and signing; see {@link Token#advertisesMlDsa()}. */
  public static final long CKM_ML_DSA_KEY_PAIR_GEN = 0x1CL;

  public static final long CKM_ML_DSA = 0x1DL;

  // ML-DSA parameter sets (PKCS#11 3.2).
  public static final long CKP_ML_DSA_65 = 0x2L;

  // Flags of C_Initialize, C_OpenSession, CK_SLOT_INFO, CK_TOKEN_INFO and CK_MECHANISM_INFO.
  public static final long CKF_OS_LOCKING_OK = 0x2L;
  public static final long CKF_RW_SESSION = 0x2L;
  public static final long CKF_SERIAL_SESSION = 0x4L;
  public static final long CKF_TOKEN_PRESENT = 0x1L;
  public static final long CKF_RNG = 0x1L;
  public static final long CKF_WRITE_PROTECTED = 0x2L;
  public static final long CKF_LOGIN_REQUIRED = 0x4L;
  public static final long CKF_USER_PIN_INITIALIZED = 0x8L;
  public static final long CKF_TOKEN_INITIALIZED = 0x400L;
  public static final long CKF_ENCRYPT = 0x100L;
  public static final long CKF_DECRYPT = 0x200L;
  public static final long CKF_SIGN = 0x800L;
  public static final long CKF_VERIFY = 0x2000L;
  public static final long CKF_GENERATE = 0x8000L;
  public static final long CKF_GENERATE_KEY_PAIR = 0x10000L;

  // User types.
  public static final long CKU_SO = 0L;
  public static final long CKU_USER = 1L;
}
