package dev.graft.benchmarks;

import dev.graft.gateway.runtime.AuthenticatedDiskCache;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P3 after a restart: the first {@code ControlLogic.builder(...).build()} of the thermostat example
 * in a fresh JVM, then {@code close()}.
 *
 * <ul>
 *   <li>{@code cache=none}: no compile cache at all, the module is compiled;
 *   <li>{@code cache=disk}: an {@link AuthenticatedDiskCache} that a previous gateway run (a
 *       separate JVM, started by the setup) filled, so the start verifies the entry's HMAC and
 *       defines the stored classes instead of compiling.
 * </ul>
 *
 * <p>One shot per fork, every fork a new JVM: the figure includes loading the runtime's and
 * Chicory's classes and running them before any JIT has warmed up. It excludes the JVM's own boot
 * and reading the files (done in the setup). This is what a gateway pays for its first module after
 * a reboot; later modules in the same JVM pay far less (see ModuleStartBenchmark).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
public class FreshJvmStartBenchmark {
  private static final String KEY_VARIABLE = "GRAFT_P3_CACHE_KEY";

  @Param({"none", "disk"})
  public String cache = "none";

  private byte[] wasm = new byte[0];
  private Manifest manifest = ExampleFiles.manifest("thermostat");
  private Grant grant = ExampleFiles.boilerSite();
  private @Nullable Path cacheDir;
  private @Nullable AuthenticatedDiskCache diskCache;

  @Setup
  public void prepare() throws IOException, InterruptedException {
    wasm = ExampleFiles.wasm("thermostat");
    manifest = ExampleFiles.manifest("thermostat");
    grant = ExampleFiles.boilerSite();
    if (cache.equals("disk")) {
      byte[] key = new byte[AuthenticatedDiskCache.MIN_KEY_BYTES];
      new SecureRandom().nextBytes(key);
      Path dir = Files.createTempDirectory("graft-p3-cache");
      cacheDir = dir;
      fillInAnotherJvm(dir, key);
      diskCache = AuthenticatedDiskCache.open(dir, key);
    }
  }

  /** Compiling here would warm this JVM up; a separate one plays the gateway's previous run. */
  private static void fillInAnotherJvm(Path dir, byte[] key)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // as every JVM that runs modules (docs/runtime.md, "Huge functions")
    command.add("-XX:-DontCompileHugeMethods");
    for (String property : List.of("graft.examples.wasm", "graft.policies.examples")) {
      String value = System.getProperty(property);
      if (value != null) {
        command.add("-D" + property + "=" + value);
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            FreshJvmStartBenchmark.class.getName(),
            dir.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put(KEY_VARIABLE, HexFormat.of().formatHex(key));
    Process process = builder.start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("filling the disk cache failed: exit " + process.exitValue());
    }
  }

  /** The previous run: builds the thermostat once with the disk cache in {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    String hex = System.getenv(KEY_VARIABLE);
    if (args.length != 1 || hex == null) {
      throw new IllegalArgumentException(
          "usage: FreshJvmStartBenchmark <dir>, key in $" + KEY_VARIABLE);
    }
    AuthenticatedDiskCache disk =
        AuthenticatedDiskCache.open(Path.of(args[0]), HexFormat.of().parseHex(hex));
    ControlLogic.builder(
            ExampleFiles.wasm("thermostat"),
            ExampleFiles.manifest("thermostat"),
            ExampleFiles.boilerSite())
        .diskCache(disk)
        .build()
        .close();
    if (disk.writeFailures() != 0) {
      throw new IllegalStateException("could not write the disk cache in " + args[0]);
    }
  }

  @Benchmark
  public long firstStart() {
    ControlLogic.Builder builder = ControlLogic.builder(wasm, manifest, grant);
    AuthenticatedDiskCache disk = diskCache;
    if (disk != null) {
      builder.diskCache(disk);
    }
    try (ControlLogic logic = builder.build()) {
      if (disk != null && disk.hits() != 1) {
        throw new IllegalStateException("the start did not come from the disk cache");
      }
      return logic.instancesCreated();
    }
  }

  @TearDown
  public void removeCache() throws IOException {
    Path dir = cacheDir;
    if (dir != null) {
      try (var files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Files.delete(file);
        }
      }
      Files.delete(dir);
    }
  }
}
