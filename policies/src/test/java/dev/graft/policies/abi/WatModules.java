package dev.graft.policies.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Test modules written in WAT under a test-resource folder, compiled with Debian's {@code wat2wasm}
 * (package {@code wabt}) so the bytes come from a tool independent of Chicory. Shared with other
 * modules' tests through this module's test jar.
 */
public final class WatModules {
  private static final String WAT2WASM = "wat2wasm";

  private final Path workDir;
  private final String folder;

  /** Modules under {@code src/test/resources/abi}, the ABI validator's cases. */
  WatModules(Path workDir) {
    this(workDir, "abi");
  }

  /** Modules under the test-resource folder {@code folder}. */
  public WatModules(Path workDir, String folder) {
    this.workDir = workDir;
    this.folder = folder;
  }

  /** Skips the calling test, saying why, when wat2wasm is not installed. */
  public static void assumeWat2WasmInstalled() {
    Assumptions.assumeTrue(
        isOnPath(WAT2WASM),
        "wat2wasm is not on PATH: install Debian package wabt (scripts/packages.txt);"
            + " tests that compile WAT modules skipped");
  }

  /** Whether an executable called {@code program} is on the PATH. */
  static boolean isOnPath(String program) {
    return Objects.requireNonNullElse(System.getenv("PATH"), "")
        .lines()
        .flatMap(path -> List.of(path.split(File.pathSeparator)).stream())
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }

  /** The bytes of {@code <folder>/<name>.wat}, compiled. */
  public byte[] compile(String name) throws IOException, InterruptedException {
    Path wat = workDir.resolve(name + ".wat");
    try (InputStream in =
        WatModules.class.getResourceAsStream("/" + folder + "/" + name + ".wat")) {
      assertThat(in).as("test resource %s/%s.wat", folder, name).isNotNull();
      Files.write(wat, Objects.requireNonNull(in).readAllBytes());
    }
    Path wasm = workDir.resolve(name + ".wasm");
    // The feature flags only let the shared, multi-memory, 64-bit memory, tail call and exception
    // cases be written; they change nothing in how the other modules encode.
    Process process =
        new ProcessBuilder(
                WAT2WASM,
                "--enable-threads",
                "--enable-multi-memory",
                "--enable-memory64",
                "--enable-tail-call",
                "--enable-exceptions",
                "-o",
                wasm.toString(),
                wat.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("wat2wasm finished").isTrue();
    assertThat(process.exitValue()).as("wat2wasm %s.wat: %s", name, output).isZero();
    return Files.readAllBytes(wasm);
  }
}
