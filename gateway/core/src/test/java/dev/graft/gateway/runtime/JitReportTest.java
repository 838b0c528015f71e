package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The runtime reports functions HotSpot would leave interpreted (issue #13, item 6): a compiled
 * function whose JVM method is above the 8,000-byte huge-method limit is named, with whether this
 * JVM runs with {@code -XX:-DontCompileHugeMethods}.
 */
class JitReportTest {

  @Test
  void jitNotes_functionAboveTheHugeMethodLimit_namedWithTheJvmsSetting() throws Exception {
    // about 2,000 steps: a method of some 10 KB, above 8,000 bytes and far below 64 KiB
    byte[] wasm = InterpreterFallbackTest.hugeTickModule(2_000);
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), Fixtures.grantWithTickBudget(5_000_000))
            .build()) {
      boolean flagged =
          ManagementFactory.getRuntimeMXBean()
              .getInputArguments()
              .contains("-XX:-DontCompileHugeMethods");

      assertThat(logic.jitNotes())
          .singleElement()
          .asString()
          .startsWith("function 1 compiles to a ")
          .contains("above HotSpot's 8000-byte limit")
          .contains(flagged ? "JIT-compiled because" : "it stays interpreted");
      assertThat(logic.preflight(ControlLogicTest.images(1)).jitNotes())
          .isEqualTo(logic.jitNotes());
    }
  }

  @Test
  void jitNotes_smallFunctions_empty() throws Exception {
    byte[] wasm = InterpreterFallbackTest.hugeTickModule(10);
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), Fixtures.grant()).build()) {
      assertThat(logic.jitNotes()).isEmpty();
    }
  }
}
