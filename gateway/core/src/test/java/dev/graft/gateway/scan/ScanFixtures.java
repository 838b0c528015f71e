package dev.graft.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.Digests;
import dev.graft.policies.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The scan tests' resources: the site grants and the manifest template for a test module. */
final class ScanFixtures {
  private ScanFixtures() {}

  /** {@code scan/manifest.json} filled in for {@code wasm}. */
  static Manifest manifest(
      byte[] wasm, String name, String version, String acceptsState, int tickMs)
      throws IOException {
    String json =
        new String(resource("scan/manifest.json"), StandardCharsets.UTF_8)
            .replace("NAME", name)
            .replace("VERSION", version)
            .replace("ACCEPTS", acceptsState)
            .replace("TICK_MS", Integer.toString(tickMs))
            .replace("SHA256", Digests.sha256Hex(wasm));
    return Manifest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = ScanFixtures.class.getResourceAsStream("/" + name)) {
      assertThat(in).as("test resource %s", name).isNotNull();
      return Objects.requireNonNull(in).readAllBytes();
    }
  }
}
