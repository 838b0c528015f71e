package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoFailureTest {
  @TempDir Path temp;

  @Test
  void run_workDirectoryWithForeignFiles_refusedAndLeftAlone() throws Exception {
    Path work = Files.createDirectories(temp.resolve("mine"));
    Files.writeString(work.resolve("notes.txt"), "keep me");

    assertThatThrownBy(() ->
            Demo.run(
                new Demo.Settings(work, temp, Duration.ofSeconds(1), false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not empty and was not made by the demo");
    assertThat(work.resolve("notes.txt")).hasContent("keep me");
  }

  @Test
  void main_unknownOption_exits2WithUsage() throws Exception {
    Process process = demoProcess("--bogus");
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(err).contains("unexpected arguments --bogus", "scripts/run [WORK_DIR]");
  }

  @Test
  void main_help_exits0AndTeachesTheCommand() throws Exception {
    Process process = demoProcess("--help");
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(out).contains("Usage: scripts/run [WORK_DIR]", "Exit 0 when every step held");
  }

  private static Process demoProcess(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Demo.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }

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

    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("[4/10] bundles");
    assertThat(ProcessHandle.current().children())
        .noneMatch(child ->
            child.isAlive()
                && child.info().command().map(c -> c.endsWith("mosquitto")).orElse(false));
  }
}
