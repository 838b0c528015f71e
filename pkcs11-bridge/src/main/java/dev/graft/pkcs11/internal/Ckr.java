package dev.graft.pkcs11.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every {@code CKR_*} return value of PKCS#11 3.0, with a one-line explanation a person can act on.
 * The names are the specification's, so they can be searched for in token documentation and logs.
 */
public enum Ckr {
  CKR_OK(0x000, "the function succeeded"),
  CKR_CANCEL(0x001, "the application's callback asked the token to cancel the operation"),
  CKR_HOST_MEMORY(0x002, "the computer running the PKCS#11 library ran out of memory"),
  CKR_SLOT_ID_INVALID(0x003, "the slot does not exist (the token may have been re-initialised)"),
  CKR_GENERAL_ERROR(0x005, "the token or library failed in an unrecoverable way"),
  CKR_FUNCTION_FAILED(0x006, "the token could not perform the operation, without saying why"),
  CKR_ARGUMENTS_BAD(0x007, "the library rejected the arguments of the call"),
  CKR_NO_EVENT(0x008, "no slot event happened"),
  CKR_NEED_TO_CREATE_THREADS(0x009, "the library needs to create threads but was told it may not"),
  CKR_CANT_LOCK(0x00A, "the library cannot provide the locking that was asked for"),
  CKR_ATTRIBUTE_READ_ONLY(0x010, "the attribute cannot be set or changed"),
  CKR_ATTRIBUTE_SENSITIVE(0x011, "the attribute is sensitive and cannot be read out of the token"),
  CKR_ATTRIBUTE_TYPE_INVALID(0x012, "the token does not know this attribute for this object"),
  CKR_ATTRIBUTE_VALUE_INVALID(0x013, "an attribute in the template has a value the token refuses"),
  CKR_ACTION_PROHIBITED(0x01B, "the token's policy forbids this action on this object"),
  CKR_DATA_INVALID(0x020, "the input data is invalid for this mechanism"),
  CKR_DATA_LEN_RANGE(0x021, "the input data is too long or too short for this mechanism"),
  CKR_DEVICE_ERROR(0x030, "the token or its reader reported a device error"),
  CKR_DEVICE_MEMORY(0x031, "the token has no memory left for this operation"),
  CKR_DEVICE_REMOVED(0x032, "the token was removed while the function ran"),
  CKR_ENCRYPTED_DATA_INVALID(0x040, "the ciphertext is invalid or was tampered with"),
  CKR_ENCRYPTED_DATA_LEN_RANGE(0x041, "the ciphertext has a length this mechanism cannot have"),
  CKR_FUNCTION_CANCELED(0x050, "the operation was cancelled"),
  CKR_FUNCTION_NOT_PARALLEL(0x051, "no function is running in parallel in this session"),
  CKR_FUNCTION_NOT_SUPPORTED(0x054, "the library does not implement this function"),
  CKR_KEY_HANDLE_INVALID(0x060, "the key handle is invalid (the key may have been deleted)"),
  CKR_KEY_SIZE_RANGE(0x062, "the key size is outside what the token supports for this mechanism"),
  CKR_KEY_TYPE_INCONSISTENT(0x063, "the key is of the wrong type for this mechanism"),
  CKR_KEY_NOT_NEEDED(0x064, "a key was supplied where none is needed"),
  CKR_KEY_CHANGED(0x065, "the key differs from the one the saved state was made with"),
  CKR_KEY_NEEDED(0x066, "the saved state needs a key that was not supplied"),
  CKR_KEY_INDIGESTIBLE(0x067, "this key cannot be digested"),
  CKR_KEY_FUNCTION_NOT_PERMITTED(
      0x068, "the key's attributes do not allow this use (e.g. CKA_SIGN)"),
  CKR_KEY_NOT_WRAPPABLE(0x069, "the token cannot wrap this key"),
  CKR_KEY_UNEXTRACTABLE(0x06A, "the key is not extractable, so it cannot be wrapped out"),
  CKR_MECHANISM_INVALID(0x070, "the token does not support this mechanism"),
  CKR_MECHANISM_PARAM_INVALID(0x071, "the mechanism parameters are invalid for this token"),
  CKR_OBJECT_HANDLE_INVALID(
      0x082, "the object handle is invalid (the object may have been deleted)"),
  CKR_OPERATION_ACTIVE(0x090, "another operation is already active in this session"),
  CKR_OPERATION_NOT_INITIALIZED(0x091, "no operation of this kind was started in this session"),
  CKR_PIN_INCORRECT(0x0A0, "the PIN is wrong"),
  CKR_PIN_INVALID(0x0A1, "the PIN contains characters the token does not accept"),
  CKR_PIN_LEN_RANGE(0x0A2, "the PIN is too long or too short for this token"),
  CKR_PIN_EXPIRED(0x0A3, "the PIN has expired and must be changed before use"),
  CKR_PIN_LOCKED(0x0A4, "the PIN is locked after too many wrong attempts; the SO must reset it"),
  CKR_SESSION_CLOSED(0x0B0, "the session was closed while the function ran"),
  CKR_SESSION_COUNT(0x0B1, "the token has too many sessions open"),
  CKR_SESSION_HANDLE_INVALID(
      0x0B3, "the session handle is invalid (it was closed or the token reset)"),
  CKR_SESSION_PARALLEL_NOT_SUPPORTED(0x0B4, "the token does not support parallel sessions"),
  CKR_SESSION_READ_ONLY(0x0B5, "the session is read-only but the action writes to the token"),
  CKR_SESSION_EXISTS(0x0B6, "a session is open, so the token cannot be initialised now"),
  CKR_SESSION_READ_ONLY_EXISTS(0x0B7, "a read-only session exists, so the SO cannot log in"),
  CKR_SESSION_READ_WRITE_SO_EXISTS(
      0x0B8, "a read/write SO session exists, so a read-only one cannot open"),
  CKR_SIGNATURE_INVALID(0x0C0, "the signature does not verify"),
  CKR_SIGNATURE_LEN_RANGE(0x0C1, "the signature has the wrong length, so it cannot verify"),
  CKR_TEMPLATE_INCOMPLETE(0x0D0, "the object template lacks an attribute the token requires"),
  CKR_TEMPLATE_INCONSISTENT(0x0D1, "the object template has attributes that contradict each other"),
  CKR_TOKEN_NOT_PRESENT(0x0E0, "no token is present in the slot"),
  CKR_TOKEN_NOT_RECOGNIZED(0x0E1, "the library does not recognise the token in the slot"),
  CKR_TOKEN_WRITE_PROTECTED(0x0E2, "the token is write-protected"),
  CKR_UNWRAPPING_KEY_HANDLE_INVALID(0x0F0, "the unwrapping key handle is invalid"),
  CKR_UNWRAPPING_KEY_SIZE_RANGE(0x0F1, "the unwrapping key has a size this mechanism cannot use"),
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT(
      0x0F2, "the unwrapping key has the wrong type for this mechanism"),
  CKR_USER_ALREADY_LOGGED_IN(0x100, "a user is already logged in to this token"),
  CKR_USER_NOT_LOGGED_IN(0x101, "this action needs a login to the token first"),
  CKR_USER_PIN_NOT_INITIALIZED(0x102, "the token's user PIN was never set; initialise the token"),
  CKR_USER_TYPE_INVALID(0x103, "the user type is not one PKCS#11 defines"),
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN(0x104, "another user type is already logged in to this token"),
  CKR_USER_TOO_MANY_TYPES(0x105, "the token cannot have more user types logged in at once"),
  CKR_WRAPPED_KEY_INVALID(0x110, "the wrapped key is invalid"),
  CKR_WRAPPED_KEY_LEN_RANGE(0x112, "the wrapped key has a length this mechanism cannot have"),
  CKR_WRAPPING_KEY_HANDLE_INVALID(0x113, "the wrapping key handle is invalid"),
  CKR_WRAPPING_KEY_SIZE_RANGE(0x114, "the wrapping key has a size this mechanism cannot use"),
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT(
      0x115, "the wrapping key has the wrong type for this mechanism"),
  CKR_RANDOM_SEED_NOT_SUPPORTED(0x120, "the token's random generator cannot be seeded"),
  CKR_RANDOM_NO_RNG(0x121, "the token has no random number generator"),
  CKR_DOMAIN_PARAMS_INVALID(
      0x130, "the domain parameters (e.g. the curve) are invalid or unsupported"),
  CKR_CURVE_NOT_SUPPORTED(0x140, "the token does not support this elliptic curve"),
  CKR_BUFFER_TOO_SMALL(0x150, "the output buffer is too small"),
  CKR_SAVED_STATE_INVALID(0x160, "the saved operation state is invalid"),
  CKR_INFORMATION_SENSITIVE(
      0x170, "the information asked for is sensitive and will not be revealed"),
  CKR_STATE_UNSAVEABLE(0x180, "the operation state cannot be saved"),
  CKR_CRYPTOKI_NOT_INITIALIZED(0x190, "the PKCS#11 library was not initialised (C_Initialize)"),
  CKR_CRYPTOKI_ALREADY_INITIALIZED(
      0x191, "the PKCS#11 library was already initialised in this process"),
  CKR_MUTEX_BAD(0x1A0, "a mutex object given to the library is bad"),
  CKR_MUTEX_NOT_LOCKED(0x1A1, "the library tried to unlock a mutex that was not locked"),
  CKR_NEW_PIN_MODE(0x1B0, "the token wants a new PIN or OTP to be set"),
  CKR_NEXT_OTP(0x1B1, "the token wants the next one-time password"),
  CKR_EXCEEDED_MAX_ITERATIONS(0x1B5, "an iterative algorithm ran out of iterations"),
  CKR_FIPS_SELF_TEST_FAILED(0x1B6, "the token failed its FIPS self-test"),
  CKR_LIBRARY_LOAD_FAILED(0x1B7, "the PKCS#11 library could not load a library it depends on"),
  CKR_PIN_TOO_WEAK(0x1B8, "the new PIN is too weak for the token's policy"),
  CKR_PUBLIC_KEY_INVALID(0x1B9, "the public key fails the token's consistency check"),
  CKR_FUNCTION_REJECTED(0x200, "the user or token refused the signature request"),
  CKR_TOKEN_RESOURCE_EXCEEDED(0x201, "the token ran out of a resource it needs for this"),
  CKR_OPERATION_CANCEL_FAILED(0x202, "the operation could not be cancelled");

  /** Codes from here up belong to the token's vendor, which PKCS#11 does not define. */
  public static final long VENDOR_DEFINED = 0x80000000L;

  private static final Map<Long, Ckr> BY_CODE = new HashMap<>();

  static {
    for (Ckr ckr : values()) {
      BY_CODE.put(ckr.code, ckr);
    }
  }

  private final long code;
  private final String explanation;

  Ckr(long code, String explanation) {
    this.code = code;
    this.explanation = explanation;
  }

  public long code() {
    return code;
  }

  /** One line, lower case, no final full stop: "the PIN is wrong". */
  public String explanation() {
    return explanation;
  }

  /** The named value for a code, or empty for a vendor-defined or unknown one. */
  public static Optional<Ckr> of(long code) {
    return Optional.ofNullable(BY_CODE.get(code));
  }

  /** The specification's name, or the code in hex ({@code 0x80000123}) when it has none. */
  public static String nameOf(long code) {
    Ckr known = BY_CODE.get(code);
    return known != null ? known.name() : hex(code);
  }

  /** The explanation of a code, with vendor-defined and unknown codes said to be such. */
  public static String explain(long code) {
    Ckr known = BY_CODE.get(code);
    if (known != null) {
      return known.explanation;
    }
    if (Long.compareUnsigned(code, VENDOR_DEFINED) >= 0) {
      return "a vendor-defined error; see the token's documentation for " + hex(code);
    }
    return "an error code PKCS#11 3.0 does not define";
  }

  static String hex(long code) {
    return "0x" + Long.toHexString(code).toUpperCase(Locale.ROOT);
  }
}
