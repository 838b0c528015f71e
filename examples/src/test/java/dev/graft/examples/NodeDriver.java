package dev.graft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a built module under Node.js through src/test/node/drive.mjs, which plays the host with
 * fixed point values, and returns the JSON line it prints. Node is an engine independent of the
 * project's runtime, so what the modules do is checked without trusting that runtime.
 */
final class NodeDriver {

  static final Path NODE = Path.of("/usr/bin/node");
  private static final Pattern BLOB = Pattern.compile("\"blob\":\"([0-9a-f]*)\"");

  private NodeDriver() {}

  /** Skips the calling test, loudly, when Node.js is not installed. */
  static void assumeNode(String what) {
    if (!Files.isExecutable(NODE)) {
      System.err.println("SKIPPED " + what + ": " + NODE + " missing; install Debian nodejs");
    }
    Assumptions.assumeTrue(Files.isExecutable(NODE), NODE + " missing; install nodejs");
  }

  /** Runs {@code steps} (a JSON array, see drive.mjs) on a fresh instance of {@code name}. */
  static String drive(String name, String steps) {
    Path driver =
        Path.of(
            System.getProperty(
                "graft.examples.node.driver",
                BuiltExamples.sourceDirectory().resolve("src/test/node/drive.mjs").toString()));
    Path wasm = BuiltExamples.wasmDirectory().resolve(name + ".wasm");
    assertThat(wasm).as("built by examples/build.sh").isRegularFile();
    return run(List.of(NODE.toString(), driver.toString(), wasm.toString(), steps));
  }

  static String run(List<String> command) {
    try {
      Process node = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
      assertThat(node.exitValue()).as("node: %s", output).isZero();
      return output.strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while node ran", e);
    }
  }

  /** The state blobs that {@code save} steps returned, in order, as hex. */
  static List<String> blobs(String output) {
    Matcher matcher = BLOB.matcher(output);
    return matcher.results().map(result -> result.group(1)).toList();
  }
}
