package dev.graft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where Maven's {@code build-wasm} step (build.sh) put the modules, and which ones it must have
 * built. The list is spelled out so that an example build.sh silently skipped fails the tests.
 */
final class BuiltExamples {

  static final List<String> NAMES =
      List.of(
          "thermostat",
          "boiler-control-1.0",
          "boiler-control-1.1",
          "boiler-control-1.2",
          "compute",
          "runaway",
          "memory-bomb");

  private BuiltExamples() {}

  static Path wasmDirectory() {
    return Path.of(System.getProperty("graft.examples.wasm", "target/wasm"));
  }

  static Path sourceDirectory() {
    return Path.of(System.getProperty("graft.examples.dir", "."));
  }

  static Path policiesExamples() {
    return Path.of(System.getProperty("graft.policies.examples", "../policies/examples"));
  }

  static byte[] wasm(String name) {
    return read(wasmDirectory().resolve(name + ".wasm"));
  }

  static byte[] manifest(String name) {
    return read(wasmDirectory().resolve(name + ".manifest.json"));
  }

  static byte[] read(Path file) {
    assertThat(file).as("built by examples/build.sh in generate-resources").isRegularFile();
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
