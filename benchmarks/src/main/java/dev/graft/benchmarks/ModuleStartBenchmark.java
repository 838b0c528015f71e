package dev.graft.benchmarks;

import com.dylibso.chicory.runtime.Instance;
import dev.graft.bundle.Digests;
import dev.graft.gateway.runtime.CompiledModuleCache;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P3: module start of the thermostat example within the boiler site's grant.
 *
 * <ul>
 *   <li>{@link #warmInstantiate} (target 1 ms): a new Chicory instance of the already compiled
 *       module plus {@code _initialize}/{@code graft_init}. {@code ControlLogic} keeps its import
 *       bindings package-private, so the instance gets do-nothing imports here; the graft/WASI
 *       import objects that ControlLogic builds per instance are not in this figure.
 *   <li>{@link #cacheHitStart} (target 8 ms): {@code ControlLogic.builder(...).cache(c).build()}
 *       with the compiled code already in the in-memory cache: ABI validation, hash check against
 *       the manifest, cache look-up, a new worker thread, instantiate and init on it; then {@code
 *       close()} (stops the worker), which is inside the figure too.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ModuleStartBenchmark {
  private byte[] wasm = new byte[0];
  private Manifest manifest = ExampleFiles.manifest("thermostat");
  private Grant grant = ExampleFiles.boilerSite();
  private CompiledModuleCache cache = CompiledModuleCache.withCapacity(1);
  private CompiledModuleCache.@org.jspecify.annotations.Nullable Compiled compiled;

  private boolean exportsInitialize;

  @Setup
  public void compileOnce() {
    wasm = ExampleFiles.wasm("thermostat");
    manifest = ExampleFiles.manifest("thermostat");
    grant = ExampleFiles.boilerSite();
    cache = CompiledModuleCache.withCapacity(1);
    ControlLogic.builder(wasm, manifest, grant).cache(cache).build().close();
    byte[] sha256 = Digests.sha256(wasm);
    compiled =
        cache.get(
            sha256,
            false,
            () -> {
              throw new IllegalStateException("the first build should have filled the cache");
            });
    var exports = compiled.module().exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      exportsInitialize |= exports.getExport(i).name().equals("_initialize");
    }
  }

  @Benchmark
  public long warmInstantiate() {
    CompiledModuleCache.Compiled c = java.util.Objects.requireNonNull(compiled);
    Instance instance =
        Instance.builder(c.module())
            .withImportValues(NoOpImports.forModule(c.module()))
            .withMachineFactory(c.machines())
            .withStart(false)
            .build();
    if (exportsInitialize) {
      instance.export("_initialize").apply();
    }
    long rc = instance.export("graft_init").apply()[0];
    if (rc != 0) {
      throw new IllegalStateException("graft_init returned " + rc);
    }
    return rc;
  }

  @Benchmark
  public long cacheHitStart() {
    try (ControlLogic logic = ControlLogic.builder(wasm, manifest, grant).cache(cache).build()) {
      return logic.instancesCreated();
    }
  }
}
