package dev.graft.pkcs11.testing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Evidence for how in-JVM tests reach a token whose module reads its configuration from the
 * environment: {@code setenv} through FFM, before {@code C_Initialize}, retargets even a module
 * that stays loaded.
 */
class NativeEnvironmentTest {
  private static final String SHELL = "/bin/sh";

  @Test
  void set_newVariable_cCodeSeesItButSystemGetenvDoesNot() {
    String name = uniqueName();
    takeJdkCopyOfEnvironment();
    try {
      NativeEnvironment.set(name, "from-setenv");

      assertThat(NativeEnvironment.get(name)).contains("from-setenv");
      assertThat(System.getenv(name)).isNull();
      assertThat(System.getenv()).doesNotContainKey(name);
    } finally {
      NativeEnvironment.unset(name);
    }
    assertThat(NativeEnvironment.get(name)).isEmpty();
  }

  @Test
  void set_newVariable_childInheritsItOnlyIfItsEnvironmentWasNeverTouched() {
    String name = uniqueName();
    takeJdkCopyOfEnvironment();
    try {
      NativeEnvironment.set(name, "leaks-to-children");

      ProcessBuilder untouched = new ProcessBuilder(SHELL, "-c", "printf %s \"$" + name + "\"");
      ProcessBuilder touched = new ProcessBuilder(SHELL, "-c", "printf %s \"$" + name + "\"");
      touched.environment().put("UNRELATED", "x");

      assertThat(ProcessOutcome.run(untouched).requireSuccess().stdout())
          .isEqualTo("leaks-to-children");
      assertThat(ProcessOutcome.run(touched).requireSuccess().stdout()).isEmpty();
    } finally {
      NativeEnvironment.unset(name);
    }
  }

  @Test
  void set_fixtureEnvironmentBeforeCInitialize_moduleInThisJvmUsesThatFixturesToken() {
    try (SoftwareTpm first =
            SoftwareTpm.builder().tokenLabel("jvm-first").userPin("first-user").start();
        SoftwareTpm second =
            SoftwareTpm.builder().tokenLabel("jvm-second").userPin("second-user").start()) {
      Map<String, Optional<String>> before = snapshot(first.environment().keySet());
      // One load for all: Graft keeps the module loaded and initialises it per use.
      try (Cryptoki module = new Cryptoki(first.modulePath())) {
        NativeEnvironment.setAll(first.environment());
        assertThat(module.probe("first-user")).isEqualTo(new Probe(List.of("jvm-first"), CKR_OK));

        NativeEnvironment.setAll(second.environment());
        assertThat(module.probe("second-user")).isEqualTo(new Probe(List.of("jvm-second"), CKR_OK));

        // Control: the label comes from the store alone, but logging in unseals a key with the
        // TPM that sealed it. With the first store and the second TPM it must fail, so the
        // logins above prove that the TPM connection followed the environment too.
        NativeEnvironment.set("TPM2_PKCS11_STORE", first.environment().get("TPM2_PKCS11_STORE"));
        Probe mixed = module.probe("first-user");
        assertThat(mixed.labels()).containsExactly("jvm-first");
        assertThat(mixed.loginResult()).isNotEqualTo(CKR_OK);
      } finally {
        restore(before);
      }
    }
  }

  @Test
  void set_nameWithEqualsSign_isRejected() {
    assertThatThrownBy(() -> NativeEnvironment.set("A=B", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an environment variable name");
  }

  /**
   * The JDK copies the C environment the first time anything asks for it ({@code System.getenv},
   * {@code ProcessBuilder.environment()}); a variable set before that is in the copy. In a test JVM
   * something has usually asked already; asking here makes the tests independent of their order.
   */
  private static void takeJdkCopyOfEnvironment() {
    assertThat(System.getenv()).isNotNull();
  }

  private static String uniqueName() {
    return "GRAFT_NATIVE_ENV_"
        + UUID.randomUUID().toString().replace('-', '_').toUpperCase(Locale.ROOT);
  }

  private static Map<String, Optional<String>> snapshot(Iterable<String> names) {
    Map<String, Optional<String>> values = new HashMap<>();
    names.forEach(name -> values.put(name, NativeEnvironment.get(name)));
    return values;
  }

  private static void restore(Map<String, Optional<String>> values) {
    values.forEach((name, value) ->
        value.ifPresentOrElse(
            v -> NativeEnvironment.set(name, v), () -> NativeEnvironment.unset(name)));
  }

  private static final long CKR_OK = 0;

  /** The tokens a module showed, and what C_Login as user on the first of them returned. */
  private record Probe(List<String> labels, long loginResult) {}

  /**
   * Just enough Cryptoki to list tokens and log in; the real binding lives in {@code
   * dev.graft.pkcs11.internal}. Offsets and sizes: field-notes "PKCS#11 tokens".
   */
  private static final class Cryptoki implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final int C_INITIALIZE = 0;
    private static final int C_FINALIZE = 1;
    private static final int C_GET_SLOT_LIST = 4;
    private static final int C_GET_TOKEN_INFO = 6;
    private static final int C_OPEN_SESSION = 12;
    private static final int C_CLOSE_SESSION = 13;
    private static final int C_LOGIN = 18;
    private static final int C_LOGOUT = 19;
    private static final long CKF_SERIAL_SESSION = 4;
    private static final long CKU_USER = 1;
    private static final int TOKEN_INFO_BYTES = 256; // 208 on LP64; room to spare
    private static final int LABEL_BYTES = 32;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment functions;

    Cryptoki(Path module) {
      SymbolLookup library = SymbolLookup.libraryLookup(module, arena);
      MethodHandle getFunctionList =
          LINKER.downcallHandle(
              library.find("C_GetFunctionList").orElseThrow(),
              FunctionDescriptor.of(JAVA_LONG, ADDRESS));
      MemorySegment pointer = arena.allocate(ADDRESS);
      check(invoke(getFunctionList, pointer), "C_GetFunctionList");
      functions = pointer.get(ADDRESS, 0).reinterpret(8 + 8L * (C_LOGOUT + 1));
    }

    /** C_Initialize, list the initialised tokens, log in to the first, C_Finalize. */
    Probe probe(String userPin) {
      check(invoke(function(C_INITIALIZE, ADDRESS), MemorySegment.NULL), "C_Initialize");
      try (Arena call = Arena.ofConfined()) {
        MethodHandle slotList = function(C_GET_SLOT_LIST, JAVA_BYTE, ADDRESS, ADDRESS);
        MemorySegment count = call.allocate(JAVA_LONG);
        check(invoke(slotList, (byte) 1, MemorySegment.NULL, count), "C_GetSlotList");
        MemorySegment slots = call.allocate(JAVA_LONG, Math.max(1, count.get(JAVA_LONG, 0)));
        check(invoke(slotList, (byte) 1, slots, count), "C_GetSlotList");
        List<String> labels = new ArrayList<>();
        long firstSlot = -1;
        for (long i = 0; i < count.get(JAVA_LONG, 0); i++) {
          MemorySegment info = call.allocate(TOKEN_INFO_BYTES);
          long slot = slots.getAtIndex(JAVA_LONG, i);
          check(
              invoke(function(C_GET_TOKEN_INFO, JAVA_LONG, ADDRESS), slot, info), "C_GetTokenInfo");
          String label =
              new String(info.asSlice(0, LABEL_BYTES).toArray(JAVA_BYTE), StandardCharsets.UTF_8)
                  .stripTrailing();
          // tpm2-pkcs11 always offers one more, uninitialised, token for C_InitToken.
          if (!label.isEmpty()) {
            labels.add(label);
            firstSlot = firstSlot < 0 ? slot : firstSlot;
          }
        }
        if (firstSlot < 0) {
          return new Probe(labels, -1);
        }
        return new Probe(labels, login(call, firstSlot, userPin));
      } finally {
        check(invoke(function(C_FINALIZE, ADDRESS), MemorySegment.NULL), "C_Finalize");
      }
    }

    private long login(Arena call, long slot, String userPin) {
      MemorySegment session = call.allocate(JAVA_LONG);
      check(
          invoke(
              function(C_OPEN_SESSION, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS),
              slot,
              CKF_SERIAL_SESSION,
              MemorySegment.NULL,
              MemorySegment.NULL,
              session),
          "C_OpenSession");
      long handle = session.get(JAVA_LONG, 0);
      byte[] pin = userPin.getBytes(StandardCharsets.UTF_8);
      long result =
          invoke(
              function(C_LOGIN, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
              handle,
              CKU_USER,
              call.allocateFrom(JAVA_BYTE, pin),
              (long) pin.length);
      if (result == CKR_OK) {
        check(invoke(function(C_LOGOUT, JAVA_LONG), handle), "C_Logout");
      }
      check(invoke(function(C_CLOSE_SESSION, JAVA_LONG), handle), "C_CloseSession");
      return result;
    }

    private MethodHandle function(int index, MemoryLayout... arguments) {
      return LINKER.downcallHandle(
          functions.get(ADDRESS, 8 + 8L * index), FunctionDescriptor.of(JAVA_LONG, arguments));
    }

    private static long invoke(MethodHandle function, Object... arguments) {
      try {
        return (long) function.invokeWithArguments(arguments);
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }

    private static void check(long rv, String function) {
      if (rv != CKR_OK) {
        throw new IllegalStateException(function + " returned CKR 0x" + Long.toHexString(rv));
      }
    }

    @Override
    public void close() {
      arena.close();
    }
  }
}
