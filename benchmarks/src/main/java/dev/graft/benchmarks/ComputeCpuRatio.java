package dev.graft.benchmarks;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.gateway.runtime.FlatMemory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * P5 as a CPU-time ratio, in pairs: {@code compute(rounds)} under Chicory (compiled, FlatMemory, as
 * ControlLogic runs it) and under Node.js (examples/compute/run-node.mjs), alternately, each pair
 * within seconds of each other. CPU time (this thread's; Node's process user + system) is what the
 * engines spend on the work itself, so on a machine shared with other jobs it varies far less than
 * wall time, which also counts waiting for a core. Both checksums must agree.
 *
 * <p>Diagnostic, never how the runtime runs: with {@code --without-interrupt-checks} as a sixth
 * argument, the {@code checkInterruption()} calls Chicory's compiler puts at every loop back-edge
 * are made empty (the generated classes are rewritten before they are defined), to measure what the
 * check that makes a runaway tick stoppable costs.
 *
 * <p>Usage: {@code ComputeCpuRatio <compute.wasm> <run-node.mjs> <output.json> [rounds] [pairs]
 * [--without-interrupt-checks]}. Writes {@code
 * {"rounds":R,"pairs":[{"chicory_cpu_ms":..,"node_cpu_ms":..,"chicory_wall_ms":..,
 * "node_wall_ms":..},...]}}.
 */
public final class ComputeCpuRatio {
  private static final int WARMUP_CALLS = 300;
  private static final int CALLS_PER_BATCH = 40;

  /** Node's calls per run: its process CPU time includes V8's background threads, amortised. */
  private static final int NODE_CALLS = 100;

  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\"?(-?[0-9.eE+]+)\"?");

  private ComputeCpuRatio() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length < 3) {
      throw new IllegalArgumentException(
          "usage: ComputeCpuRatio <compute.wasm> <run-node.mjs> <output.json> [rounds] [pairs]");
    }
    Path wasm = Path.of(args[0]);
    Path harness = Path.of(args[1]);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    int pairs = args.length > 4 ? Integer.parseInt(args[4]) : 5;

    boolean withoutInterruptChecks =
        args.length > 5 && args[5].equals("--without-interrupt-checks");

    WasmModule module = Parser.parse(Files.readAllBytes(wasm));
    Instance instance =
        Instance.builder(module)
            .withImportValues(NoOpImports.forModule(module))
            .withMachineFactory(
                withoutInterruptChecks
                    ? withoutInterruptChecks(module)
                    : MachineFactoryCompiler.builder(module)
                        .withInterpreterFallback(InterpreterFallback.FAIL)
                        .compile())
            .withMemoryFactory(FlatMemory::new)
            .withStart(false)
            .build();
    instance.export("_initialize").apply();
    ExportFunction compute = instance.export("compute");
    long checksum = compute.apply(rounds)[0];
    for (int i = 0; i < WARMUP_CALLS; i++) {
      same(checksum, compute.apply(rounds)[0]);
    }

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<String> results = new ArrayList<>();
    for (int pair = 0; pair < pairs; pair++) {
      long cpuStart = threads.getCurrentThreadCpuTime();
      long wallStart = System.nanoTime();
      for (int i = 0; i < CALLS_PER_BATCH; i++) {
        same(checksum, compute.apply(rounds)[0]);
      }
      double chicoryWall = (System.nanoTime() - wallStart) / 1e6 / CALLS_PER_BATCH;
      double chicoryCpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6 / CALLS_PER_BATCH;

      String node = runNode(harness, wasm, rounds);
      same(checksum, Long.parseLong(field(node, "checksum")));
      double nodeWall = Double.parseDouble(field(node, "ms_per_call"));
      double nodeCpu = Double.parseDouble(field(node, "cpu_ms_per_call"));
      String line =
          String.format(
              Locale.ROOT,
              "{\"chicory_cpu_ms\":%.4f,\"node_cpu_ms\":%.4f,\"chicory_wall_ms\":%.4f,"
                  + "\"node_wall_ms\":%.4f}",
              chicoryCpu,
              nodeCpu,
              chicoryWall,
              nodeWall);
      System.out.printf(
          Locale.ROOT,
          "P5 pair %d: CPU Chicory %.2f ms, Node.js %.2f ms, ratio %.2f (wall %.2f / %.2f)%n",
          pair + 1,
          chicoryCpu,
          nodeCpu,
          chicoryCpu / nodeCpu,
          chicoryWall,
          nodeWall);
      results.add(line);
    }
    Files.writeString(
        Path.of(args[2]),
        "{\"rounds\":" + rounds + ",\"pairs\":[" + String.join(",", results) + "]}\n");
  }

  /** The module compiled by Chicory with every interruption check emptied; diagnostic only. */
  private static Function<Instance, Machine> withoutInterruptChecks(WasmModule module) {
    Map<String, byte[]> classes = new HashMap<>();
    Compiler.builder(module)
        .withInterpreterFallback(InterpreterFallback.FAIL)
        .build()
        .compile()
        .classBytes()
        .forEach((name, bytes) -> classes.put(name.replace('/', '.'), emptyCheck(bytes)));
    ClassLoader loader =
        new ClassLoader(ComputeCpuRatio.class.getClassLoader()) {
          @Override
          protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.get(name);
            if (bytes == null) {
              throw new ClassNotFoundException(name);
            }
            return defineClass(name, bytes, 0, bytes.length);
          }
        };
    try {
      Constructor<?> machine =
          loader.loadClass(Compiler.DEFAULT_CLASS_NAME).getConstructor(Instance.class);
      return instance -> {
        try {
          return (Machine) machine.newInstance(instance);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      };
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Chicory's generated machine class not found", e);
    }
  }

  /** The class with any method called checkInterruption reduced to a bare return. */
  private static byte[] emptyCheck(byte[] bytes) {
    ClassWriter writer = new ClassWriter(0);
    new ClassReader(bytes)
        .accept(
            new ClassVisitor(Opcodes.ASM9, writer) {
              @Override
              public @Nullable MethodVisitor visitMethod(
                  int access,
                  String name,
                  String descriptor,
                  @Nullable String signature,
                  String @Nullable [] exceptions) {
                MethodVisitor method =
                    super.visitMethod(access, name, descriptor, signature, exceptions);
                if (!name.equals("checkInterruption") || method == null) {
                  return method;
                }
                method.visitCode();
                method.visitInsn(Opcodes.RETURN);
                method.visitMaxs(0, 0);
                method.visitEnd();
                return null;
              }
            },
            0);
    return writer.toByteArray();
  }

  private static String runNode(Path harness, Path wasm, int rounds)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                "node",
                harness.toString(),
                wasm.toString(),
                Integer.toString(rounds),
                // The first call is untimed (V8 tiers up), the rest are timed.
                Integer.toString(NODE_CALLS + 1))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("node failed: " + output);
    }
    return output;
  }

  private static String field(String json, String name) {
    Matcher m = FIELD.matcher(json);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        return m.group(2);
      }
    }
    throw new IllegalStateException("no " + name + " in node's output: " + json);
  }

  private static void same(long expected, long actual) {
    if (expected != actual) {
      throw new IllegalStateException("checksum changed: " + expected + " then " + actual);
    }
  }
}
