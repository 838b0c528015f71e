package dev.graft.benchmarks;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.gateway.runtime.FlatMemory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P5: {@code compute(rounds)} of examples/compute/compute.wasm through Chicory's compiler (the
 * engine ControlLogic uses, whole module compiled, no interpreter fallback). benchmarks/run times
 * the same bytes and the same {@code rounds} under Node.js with examples/compute/run-node.mjs and
 * summarize.py reports the ratio Chicory / V8, target at most 1.25.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ComputeBenchmark {
  /** Keep in step with P5_ROUNDS in benchmarks/run, which runs Node.js with the same value. */
  @Param({"200"})
  public int rounds;

  /**
   * The linear memory: Chicory's two implementations and the runtime's own (the one ControlLogic
   * uses, and the one the P5 ratio is taken for).
   */
  @Param({"ByteBufferMemory", "ByteArrayMemory", "FlatMemory"})
  public String memory = "ByteBufferMemory";

  private @org.jspecify.annotations.Nullable ExportFunction compute;

  @Setup
  public void compile() {
    WasmModule module = Parser.parse(ExampleFiles.wasm("compute"));
    Instance instance =
        Instance.builder(module)
            .withImportValues(NoOpImports.forModule(module))
            .withMachineFactory(
                // As ControlLogic does: a function left to the interpreter fails the setup rather
                // than quietly timing the interpreter.
                MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.FAIL)
                    .compile())
            .withStart(false)
            .withMemoryFactory(limits ->
                switch (memory) {
                  case "FlatMemory" -> new FlatMemory(limits);
                  case "ByteArrayMemory" -> new ByteArrayMemory(limits);
                  case "ByteBufferMemory" -> new ByteBufferMemory(limits);
                  default -> throw new IllegalArgumentException("unknown memory " + memory);
                })
            .build();
    var exports = module.exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      if (exports.getExport(i).name().equals("_initialize")) {
        instance.export("_initialize").apply();
      }
    }
    compute = instance.export("compute");
  }

  @Benchmark
  public long compute() {
    return java.util.Objects.requireNonNull(compute).apply(rounds)[0];
  }
}
