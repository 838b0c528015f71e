package dev.graft.pkcs11.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The table of return values: complete for PKCS#11 3.0, and messages that say what happened. */
class CkrTest {
  /**
   * Every {@code CKR_*} of PKCS#11 3.0 except {@code CKR_VENDOR_DEFINED}, as {@code pkcs11t.h}
   * (NSS's copy of the OASIS 3.0 header, Debian libnss3-dev) defines them — an independent list to
   * hold the hand-written table against.
   */
  private static final String HEADER_CODES =
      """
      CKR_OK 0x00000000
      CKR_CANCEL 0x00000001
      CKR_HOST_MEMORY 0x00000002
      CKR_SLOT_ID_INVALID 0x00000003
      CKR_GENERAL_ERROR 0x00000005
      CKR_FUNCTION_FAILED 0x00000006
      CKR_ARGUMENTS_BAD 0x00000007
      CKR_NO_EVENT 0x00000008
      CKR_NEED_TO_CREATE_THREADS 0x00000009
      CKR_CANT_LOCK 0x0000000A
      CKR_ATTRIBUTE_READ_ONLY 0x00000010
      CKR_ATTRIBUTE_SENSITIVE 0x00000011
      CKR_ATTRIBUTE_TYPE_INVALID 0x00000012
      CKR_ATTRIBUTE_VALUE_INVALID 0x00000013
      CKR_ACTION_PROHIBITED 0x0000001B
      CKR_DATA_INVALID 0x00000020
      CKR_DATA_LEN_RANGE 0x00000021
      CKR_DEVICE_ERROR 0x00000030
      CKR_DEVICE_MEMORY 0x00000031
      CKR_DEVICE_REMOVED 0x00000032
      CKR_ENCRYPTED_DATA_INVALID 0x00000040
      CKR_ENCRYPTED_DATA_LEN_RANGE 0x00000041
      CKR_FUNCTION_CANCELED 0x00000050
      CKR_FUNCTION_NOT_PARALLEL 0x00000051
      CKR_FUNCTION_NOT_SUPPORTED 0x00000054
      CKR_KEY_HANDLE_INVALID 0x00000060
      CKR_KEY_SIZE_RANGE 0x00000062
      CKR_KEY_TYPE_INCONSISTENT 0x00000063
      CKR_KEY_NOT_NEEDED 0x00000064
      CKR_KEY_CHANGED 0x00000065
      CKR_KEY_NEEDED 0x00000066
      CKR_KEY_INDIGESTIBLE 0x00000067
      CKR_KEY_FUNCTION_NOT_PERMITTED 0x00000068
      CKR_KEY_NOT_WRAPPABLE 0x00000069
      CKR_KEY_UNEXTRACTABLE 0x0000006A
      CKR_MECHANISM_INVALID 0x00000070
      CKR_MECHANISM_PARAM_INVALID 0x00000071
      CKR_OBJECT_HANDLE_INVALID 0x00000082
      CKR_OPERATION_ACTIVE 0x00000090
      CKR_OPERATION_NOT_INITIALIZED 0x00000091
      CKR_PIN_INCORRECT 0x000000A0
      CKR_PIN_INVALID 0x000000A1
      CKR_PIN_LEN_RANGE 0x000000A2
      CKR_PIN_EXPIRED 0x000000A3
      CKR_PIN_LOCKED 0x000000A4
      CKR_SESSION_CLOSED 0x000000B0
      CKR_SESSION_COUNT 0x000000B1
      CKR_SESSION_HANDLE_INVALID 0x000000B3
      CKR_SESSION_PARALLEL_NOT_SUPPORTED 0x000000B4
      CKR_SESSION_READ_ONLY 0x000000B5
      CKR_SESSION_EXISTS 0x000000B6
      CKR_SESSION_READ_ONLY_EXISTS 0x000000B7
      CKR_SESSION_READ_WRITE_SO_EXISTS 0x000000B8
      CKR_SIGNATURE_INVALID 0x000000C0
      CKR_SIGNATURE_LEN_RANGE 0x000000C1
      CKR_TEMPLATE_INCOMPLETE 0x000000D0
      CKR_TEMPLATE_INCONSISTENT 0x000000D1
      CKR_TOKEN_NOT_PRESENT 0x000000E0
      CKR_TOKEN_NOT_RECOGNIZED 0x000000E1
      CKR_TOKEN_WRITE_PROTECTED 0x000000E2
      CKR_UNWRAPPING_KEY_HANDLE_INVALID 0x000000F0
      CKR_UNWRAPPING_KEY_SIZE_RANGE 0x000000F1
      CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT 0x000000F2
      CKR_USER_ALREADY_LOGGED_IN 0x00000100
      CKR_USER_NOT_LOGGED_IN 0x00000101
      CKR_USER_PIN_NOT_INITIALIZED 0x00000102
      CKR_USER_TYPE_INVALID 0x00000103
      CKR_USER_ANOTHER_ALREADY_LOGGED_IN 0x00000104
      CKR_USER_TOO_MANY_TYPES 0x00000105
      CKR_WRAPPED_KEY_INVALID 0x00000110
      CKR_WRAPPED_KEY_LEN_RANGE 0x00000112
      CKR_WRAPPING_KEY_HANDLE_INVALID 0x00000113
      CKR_WRAPPING_KEY_SIZE_RANGE 0x00000114
      CKR_WRAPPING_KEY_TYPE_INCONSISTENT 0x00000115
      CKR_RANDOM_SEED_NOT_SUPPORTED 0x00000120
      CKR_RANDOM_NO_RNG 0x00000121
      CKR_DOMAIN_PARAMS_INVALID 0x00000130
      CKR_CURVE_NOT_SUPPORTED 0x00000140
      CKR_BUFFER_TOO_SMALL 0x00000150
      CKR_SAVED_STATE_INVALID 0x00000160
      CKR_INFORMATION_SENSITIVE 0x00000170
      CKR_STATE_UNSAVEABLE 0x00000180
      CKR_CRYPTOKI_NOT_INITIALIZED 0x00000190
      CKR_CRYPTOKI_ALREADY_INITIALIZED 0x00000191
      CKR_MUTEX_BAD 0x000001A0
      CKR_MUTEX_NOT_LOCKED 0x000001A1
      CKR_NEW_PIN_MODE 0x000001B0
      CKR_NEXT_OTP 0x000001B1
      CKR_EXCEEDED_MAX_ITERATIONS 0x000001B5
      CKR_FIPS_SELF_TEST_FAILED 0x000001B6
      CKR_LIBRARY_LOAD_FAILED 0x000001B7
      CKR_PIN_TOO_WEAK 0x000001B8
      CKR_PUBLIC_KEY_INVALID 0x000001B9
      CKR_FUNCTION_REJECTED 0x00000200
      CKR_TOKEN_RESOURCE_EXCEEDED 0x00000201
      CKR_OPERATION_CANCEL_FAILED 0x00000202
      """;

  @Test
  void table_everyCodeOfPkcs11v3_isNamedWithItsValue() {
    List<String> lines = HEADER_CODES.strip().lines().toList();
    for (String line : lines) {
      String[] parts = line.strip().split(" ", -1);
      long code = Long.decode(parts[1]);
      assertThat(Ckr.of(code)).as(parts[0]).isPresent();
      assertThat(Ckr.of(code).orElseThrow().name()).isEqualTo(parts[0]);
      assertThat(Ckr.valueOf(parts[0]).code()).isEqualTo(code);
    }
    assertThat(Ckr.values()).hasSize(lines.size());
  }

  @Test
  void table_codes_areUniqueAndExplained() {
    Set<Long> seen = new HashSet<>();
    for (Ckr ckr : Ckr.values()) {
      assertThat(seen.add(ckr.code())).as(ckr.name()).isTrue();
      assertThat(ckr.explanation()).as(ckr.name()).isNotBlank().doesNotEndWith(".");
    }
    assertThat(Arrays.stream(Ckr.values()).map(Ckr::explanation).distinct().count())
        .as("each code has its own explanation")
        .isEqualTo(Ckr.values().length);
  }

  @Test
  void message_knownCode_namesFunctionCodeAndMeaning() {
    CkrException e = new CkrException("C_Sign", 0x70, "token 'release'");
    assertThat(e.getMessage())
        .isEqualTo(
            "token 'release': C_Sign returned CKR_MECHANISM_INVALID (0x70):"
                + " the token does not support this mechanism");
    assertThat(e.ckr()).contains(Ckr.CKR_MECHANISM_INVALID);
    assertThat(e.codeName()).isEqualTo("CKR_MECHANISM_INVALID");
  }

  @Test
  void message_vendorCode_isShownInHex() {
    CkrException e = new CkrException("C_Login", 0x80000123L, "token 'hsm'");
    assertThat(e.getMessage())
        .isEqualTo(
            "token 'hsm': C_Login returned 0x80000123: a vendor-defined error; see the token's"
                + " documentation for 0x80000123");
    assertThat(e.ckr()).isEmpty();
  }

  @Test
  void message_undefinedCode_isShownInHex() {
    CkrException e = new CkrException("C_Sign", 0x4, "token 'x'");
    assertThat(e.codeName()).isEqualTo("0x4");
    assertThat(e.getMessage()).contains("0x4", "PKCS#11 3.0 does not define");
  }

  @Test
  void in_addsWhereAndKeepsTheCause() {
    CkrException inner = new CkrException("C_Login", 0xA0, "PKCS#11 module /m.so");
    CkrException outer = inner.in("token 'release'");
    assertThat(outer.getMessage())
        .startsWith("token 'release': C_Login returned CKR_PIN_INCORRECT");
    assertThat(outer.getCause()).isSameAs(inner);
    assertThat(outer.is(Ckr.CKR_PIN_INCORRECT)).isTrue();
  }
}
