package dev.graft.policies.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real C module, built by clang against wasi-libc the way module authors will build theirs,
 * checked against ABI graft/1: what libc pulls in must stay inside the WASI subset.
 */
class AbiValidatorCModuleTest {
  private static final AbiLimits LIMITS = new AbiLimits(1 << 20, 16);

  @TempDir Path workDir;

  @BeforeAll
  static void needsClangAndWasiLibc() {
    Assumptions.assumeTrue(
        WatModules.isOnPath("clang")
            && Files.isRegularFile(Path.of("/usr/lib/wasm32-wasi/crt1-reactor.o")),
        "clang or wasi-libc missing: install clang, lld, wasi-libc, libclang-rt-14-dev-wasm32"
            + " (scripts/packages.txt); C module tests skipped");
  }

  @Test
  void validate_thermostatReactorFromClang_isAccepted() throws Exception {
    ModuleShape shape = AbiValidator.validate(compile(List.of("-mexec-model=reactor")), LIMITS);

    assertThat(shape.exports()).contains("memory", "graft_tick", "_initialize", "graft_init");
    assertThat(shape.optionalExports()).containsExactly("_initialize", "graft_init");
    assertThat(shape.imports())
        .contains("graft.point_get", "graft.point_set", "wasi_snapshot_preview1.fd_write");
    assertThat(shape.initialPages()).isPositive().isLessThanOrEqualTo(LIMITS.maxMemoryPages());
  }

  @Test
  void validate_thermostatBuiltAsCommand_isRefusedForStart() throws Exception {
    byte[] wasm = compile(List.of("-DGRAFT_AS_COMMAND"));

    AbiViolationException refused =
        catchThrowableOfType(
            AbiViolationException.class, () -> AbiValidator.validate(wasm, LIMITS));

    assertThat(refused.violations())
        .singleElement()
        .asString()
        .startsWith("exports '_start', so it is a WASI command");
  }

  private byte[] compile(List<String> flags) throws IOException, InterruptedException {
    Path source = workDir.resolve("thermostat.c");
    try (InputStream in = getClass().getResourceAsStream("/abi/c/thermostat.c")) {
      Files.write(source, Objects.requireNonNull(in, "abi/c/thermostat.c").readAllBytes());
    }
    Path wasm = workDir.resolve("thermostat.wasm");
    List<String> command =
        new ArrayList<>(List.of("clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2"));
    command.addAll(flags);
    command.addAll(List.of("-Wl,--strip-all", "-o", wasm.toString(), source.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("clang finished").isTrue();
    assertThat(process.exitValue()).as("clang: %s", output).isZero();
    return Files.readAllBytes(wasm);
  }
}
