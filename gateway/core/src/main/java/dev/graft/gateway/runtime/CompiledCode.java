package dev.graft.gateway.runtime;

import com.dylibso.chicory.compiler.Cache;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.jspecify.annotations.Nullable;

/**
 * What the JVM will make of a module's compiled code: which WebAssembly functions became JVM
 * methods longer than HotSpot's {@value #HUGE_METHOD_BYTES}-byte limit, above which HotSpot never
 * JIT-compiles a method unless the JVM runs with {@code -XX:-DontCompileHugeMethods} (such a
 * function stays in the bytecode interpreter: 470 µs against 99 µs a call, measured).
 *
 * <p>Chicory's compiler does not report method sizes; its {@link Cache} hook is handed the
 * generated classes (a jar), so the runtime reads them from there with the JDK's class-file API.
 */
final class CompiledCode {
  /** HotSpot's {@code HugeMethodLimit}: longer methods are not compiled by default. */
  static final int HUGE_METHOD_BYTES = 8_000;

  private static final String FUNCTION_METHOD_PREFIX = "func_";

  private CompiledCode() {}

  /**
   * Wraps {@code delegate} (may be null) so the generated classes handed through it, fresh or from
   * the cache, are kept in {@code sink}.
   */
  static Cache capturing(@Nullable Cache delegate, byte[][] sink) {
    return new Cache() {
      @Override
      public byte @Nullable [] get(String key) throws IOException {
        byte[] bytes = delegate == null ? null : delegate.get(key);
        if (bytes != null) {
          sink[0] = bytes;
        }
        return bytes;
      }

      @Override
      public void putIfAbsent(String key, byte[] content) throws IOException {
        sink[0] = content;
        if (delegate != null) {
          delegate.putIfAbsent(key, content);
        }
      }
    };
  }

  /**
   * The bytecode size of every function's method longer than {@link #HUGE_METHOD_BYTES}, by
   * WebAssembly function index; empty if {@code jar} holds none or cannot be read.
   */
  static SortedMap<Integer, Integer> hugeFunctions(byte @Nullable [] jar) {
    SortedMap<Integer, Integer> huge = new TreeMap<>();
    if (jar == null) {
      return huge;
    }
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        if (!entry.getName().endsWith(".class")) {
          continue;
        }
        ClassModel model = ClassFile.of().parse(in.readAllBytes());
        for (MethodModel method : model.methods()) {
          String name = method.methodName().stringValue();
          if (!name.startsWith(FUNCTION_METHOD_PREFIX)) {
            continue;
          }
          int length =
              method.findAttribute(Attributes.code()).map(code -> code.codeLength()).orElse(0);
          Integer index = functionIndex(name);
          if (length > HUGE_METHOD_BYTES && index != null) {
            huge.merge(index, length, Math::max);
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // A report, not a check: unreadable classes only mean nothing is reported.
      return new TreeMap<>();
    }
    return huge;
  }

  private static @Nullable Integer functionIndex(String methodName) {
    try {
      return Integer.parseInt(methodName.substring(FUNCTION_METHOD_PREFIX.length()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Whether this JVM JIT-compiles methods above {@link #HUGE_METHOD_BYTES}. */
  static boolean jvmCompilesHugeMethods() {
    try {
      var hotspot =
          ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return hotspot != null
          && "false".equals(hotspot.getVMOption("DontCompileHugeMethods").getValue());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // not HotSpot: no such limit known
      return true;
    }
  }

  /**
   * One line per huge function for reports, saying whether it will be JIT-compiled here; empty if
   * there are none.
   */
  static List<String> describe(SortedMap<Integer, Integer> huge, boolean jvmCompilesHuge) {
    List<String> lines = new ArrayList<>();
    huge.forEach((index, bytes) ->
        lines.add(
            "function "
                + index
                + " compiles to a "
                + bytes
                + "-byte JVM method, above HotSpot's "
                + HUGE_METHOD_BYTES
                + "-byte limit: "
                + (jvmCompilesHuge
                    ? "JIT-compiled because this JVM runs with -XX:-DontCompileHugeMethods"
                    : "it stays interpreted (about 5x slower); run the gateway's JVM with"
                        + " -XX:-DontCompileHugeMethods")));
    return lines;
  }
}
