package dev.graft.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real command-line tool (mbpoll, coap-client) with a time limit and keeps its output. */
final class ExternalTool implements AutoCloseable {
  private final Process process;
  private final Path output;
  private final List<String> command;

  private ExternalTool(List<String> command) throws IOException {
    this.command = command;
    this.output = Files.createTempFile("device-sim-tool", ".out");
    this.process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
  }

  record Result(int exitCode, String output) {}

  /** Starts the tool in the background; {@link #await} collects it. */
  static ExternalTool start(String... command) throws IOException {
    return new ExternalTool(List.of(command));
  }

  /** Runs the tool to completion. */
  static Result run(Duration limit, String... command) throws IOException, InterruptedException {
    try (ExternalTool tool = start(command)) {
      return tool.await(limit);
    }
  }

  Result await(Duration limit) throws IOException, InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(
          String.join(" ", command)
              + " did not finish within "
              + limit
              + "; output so far:\n"
              + Files.readString(output, StandardCharsets.UTF_8));
    }
    return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    Files.deleteIfExists(output);
  }
}
