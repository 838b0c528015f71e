package dev.graft.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.policies.CapabilityCheck;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The example modules as {@code examples/build.sh} built them ({@code graft.examples.wasm}), loaded
 * the way the gateway loads a staged bundle: manifest checked against the grant, then compiled.
 */
final class ExampleModules {
  private static final String SHIPPED_TICK = "\"tick_ms\": 100,";

  private ExampleModules() {}

  static Path wasmDirectory() {
    return Path.of(System.getProperty("graft.examples.wasm", "../examples/target/wasm"));
  }

  /** The built manifest of {@code name} (e.g. {@code boiler-control-1.1}), as shipped. */
  static Manifest manifest(String name) {
    return Manifest.parse(read(name + ".manifest.json"));
  }

  /**
   * The built manifest with another {@code tick_ms}: the examples ship at 100 ms, the swap tests
   * run them at 10 ms. The module hash stays, so the bytes are still the built ones.
   */
  static Manifest manifest(String name, int tickMs) {
    String json = new String(read(name + ".manifest.json"), StandardCharsets.UTF_8);
    assertThat(json).as("%s ships with tick_ms 100", name).containsOnlyOnce(SHIPPED_TICK);
    String changed = json.replace(SHIPPED_TICK, "\"tick_ms\": " + tickMs + ",");
    return Manifest.parse(changed.getBytes(StandardCharsets.UTF_8));
  }

  /** Checks {@code manifest} against {@code grant} and loads the module, as a staged update. */
  static ControlLogic load(String name, Manifest manifest, Grant grant) {
    assertThat(CapabilityCheck.check(manifest, grant))
        .as("%s lies inside the grant", name)
        .isInstanceOf(CapabilityCheck.Accepted.class);
    return ControlLogic.builder(read(name + ".wasm"), manifest, grant).build();
  }

  private static byte[] read(String file) {
    Path path = wasmDirectory().resolve(file);
    assertThat(path)
        .as("built by examples/build.sh (build the examples module first)")
        .isRegularFile();
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
