package dev.graft.benchmarks;

import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The built example modules and the example site grant. benchmarks/run builds {@code examples}
 * first and runs JMH from the repository root, so the defaults are paths relative to it; the system
 * properties {@code graft.examples.wasm} and {@code graft.policies.examples} override them.
 */
final class ExampleFiles {
  private ExampleFiles() {}

  static Path wasmDir() {
    return Path.of(System.getProperty("graft.examples.wasm", "examples/target/wasm"));
  }

  static byte[] wasm(String name) {
    return read(wasmDir().resolve(name + ".wasm"));
  }

  static Manifest manifest(String name) {
    return Manifest.parse(read(wasmDir().resolve(name + ".manifest.json")));
  }

  static Grant boilerSite() {
    return Grant.parse(boilerSiteYaml());
  }

  /** The example site grant's YAML, for a benchmark that must adjust one of its ceilings. */
  static byte[] boilerSiteYaml() {
    Path dir = Path.of(System.getProperty("graft.policies.examples", "policies/examples"));
    return read(dir.resolve("boiler-site.yaml"));
  }

  private static byte[] read(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(
          path.toAbsolutePath()
              + " not found: build the examples module first (benchmarks/run does) or set"
              + " -Dgraft.examples.wasm / -Dgraft.policies.examples");
    }
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
