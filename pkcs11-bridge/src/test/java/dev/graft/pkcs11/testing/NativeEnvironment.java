package dev.graft.pkcs11.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;

/**
 * This process's C environment, for PKCS#11 modules loaded into the test JVM: tpm2-pkcs11 reads
 * {@code TPM2_PKCS11_STORE} and {@code TPM2_PKCS11_TCTI}, SoftHSM2 reads {@code SOFTHSM2_CONF},
 * with {@code getenv} when {@code C_Initialize} runs. Java cannot set them; libc's {@code setenv}
 * can, and a module initialised afterwards sees the new values, also a module that was loaded and
 * initialised before ({@code NativeEnvironmentTest} for tpm2-pkcs11 1.9; checked by hand for
 * SoftHSM2 2.6.1).
 *
 * <p>What it does not change: {@link System#getenv()} and the starting environment of a {@link
 * ProcessBuilder}, a copy the JDK takes the first time either is asked for (a variable set before
 * that moment does show up: rely on neither). What it does change, perhaps unexpectedly: children
 * started by a {@code ProcessBuilder} whose {@code environment()} was never touched inherit the C
 * environment, values set here included.
 *
 * <p>The C environment is one per process and {@code setenv} is not safe against a concurrent
 * {@code getenv} in C: set variables while the module is not initialised (before {@code
 * C_Initialize}, after {@code C_Finalize}), from one test class at a time. This is test code: the
 * FFM rule of the main code (FFM only in {@code dev.graft.pkcs11.internal}) is checked on main
 * classes only.
 */
public final class NativeEnvironment {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle SETENV =
      libc(
          "setenv",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT));
  private static final MethodHandle UNSETENV =
      libc("unsetenv", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
  private static final MethodHandle GETENV =
      libc("getenv", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));

  private NativeEnvironment() {}

  /** {@code setenv(name, value, 1)}. */
  public static synchronized void set(String name, String value) {
    checkName(name);
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("value of " + name + " contains a NUL character");
    }
    try (Arena arena = Arena.ofConfined()) {
      int status = (int) SETENV.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
      if (status != 0) {
        throw new IllegalStateException("setenv(" + name + ") failed");
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("setenv(" + name + ") failed", e);
    }
  }

  /** Sets every variable of {@code variables}, e.g. {@link SoftwareTpm#environment()}. */
  public static synchronized void setAll(Map<String, String> variables) {
    variables.forEach(NativeEnvironment::set);
  }

  public static synchronized void unset(String name) {
    checkName(name);
    try (Arena arena = Arena.ofConfined()) {
      int status = (int) UNSETENV.invokeExact(arena.allocateFrom(name));
      if (status != 0) {
        throw new IllegalStateException("unsetenv(" + name + ") failed");
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("unsetenv(" + name + ") failed", e);
    }
  }

  /** What C code in this process reads with {@code getenv(name)}. */
  public static synchronized Optional<String> get(String name) {
    checkName(name);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = (MemorySegment) GETENV.invokeExact(arena.allocateFrom(name));
      if (value.equals(MemorySegment.NULL)) {
        return Optional.empty();
      }
      return Optional.of(value.reinterpret(Long.MAX_VALUE).getString(0));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("getenv(" + name + ") failed", e);
    }
  }

  private static void checkName(String name) {
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "not an environment variable name (empty, or contains '=' or NUL): " + name);
    }
  }

  private static MethodHandle libc(String function, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(
        LINKER
            .defaultLookup()
            .find(function)
            .orElseThrow(() -> new IllegalStateException("libc has no " + function)),
        descriptor);
  }
}
