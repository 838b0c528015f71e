package dev.graft.gateway.runtime;

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
 * Test modules written in WAT under {@code src/test/resources/wat}, compiled with Debian's {@code
 * wat2wasm} (package {@code wabt}) so the bytes come from a tool independent of Chicory.
 */
final class WatModules {
  private static final String WAT2WASM = "wat2wasm";

  private final Path workDir;

  WatModules(Path workDir) {
    this.workDir = workDir;
  }

  /** Skips the calling test, saying why, when wat2wasm is not installed. */
  static void assumeWat2WasmInstalled() {
    Assumptions.assumeTrue(
        isOnPath(WAT2WASM),
        "wat2wasm is not on PATH: install Debian package wabt (scripts/packages.txt);"
            + " ABI validator tests skipped");
  }

  /** Whether an executable called {@code program} is on the PATH. */
  static boolean isOnPath(String program) {
    return Objects.requireNonNullElse(System.getenv("PATH"), "")
        .lines()
        .flatMap(path -> List.of(path.split(File.pathSeparator)).stream())
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }

  /** The bytes of {@code wat/<name>.wat}, compiled. */
  byte[] compile(String name) throws IOException, InterruptedException {
    Path wat = workDir.resolve(name + ".wat");
    try (InputStream in = WatModules.class.getResourceAsStream("/wat/" + name + ".wat")) {
      assertThat(in).as("test resource wat/%s.wat", name).isNotNull();
      Files.write(wat, Objects.requireNonNull(in).readAllBytes());
    }
    Path wasm = workDir.resolve(name + ".wasm");
    // The feature flags only let the shared, multi-memory and 64-bit memory cases be written;
    // they change nothing in how the other modules encode.
    Process process =
        new ProcessBuilder(
                WAT2WASM,
                "--enable-threads",
                "--enable-multi-memory",
                "--enable-memory64",
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
