package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoFailureTest {
  @TempDir Path temp;

  @Test
  void run_examplesNotBuilt_namesTheMissingFileAndTheFix_andStopsItsBroker() throws Exception {
    Path noWasm = Files.createDirectories(temp.resolve("empty"));
    ByteArrayOutputStream captured = new ByteArrayOutputStream();

    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      assertThatThrownBy(() ->
              Demo.run(
                  new Demo.Settings(temp.resolve("demo"), noWasm, Duration.ofSeconds(1), false),
                  out))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(noWasm.resolve("boiler-control-1.0.wasm").toString())
          .hasMessageContaining("build the examples first");
    }

    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("[4/9] bundles");
    assertThat(ProcessHandle.current().children())
        .noneMatch(child ->
            child.isAlive()
                && child.info().command().map(c -> c.endsWith("mosquitto")).orElse(false));
  }
}
