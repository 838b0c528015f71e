package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/** The test grant and a manifest naming a given module. */
final class Fixtures {
  private Fixtures() {}

  static Grant grant() throws IOException {
    return Grant.parse(resource("runtime/site.yaml"));
  }

  /** The test grant with its tick budget raised to {@code micros}. */
  static Grant grantWithTickBudget(long micros) throws IOException {
    String yaml = new String(resource("runtime/site.yaml"), StandardCharsets.UTF_8);
    assertThat(yaml).contains("tick_budget_us: 50000");
    return Grant.parse(
        yaml.replace("tick_budget_us: 50000", "tick_budget_us: " + micros)
            .getBytes(StandardCharsets.UTF_8));
  }

  /** The test manifest for {@code wasm}, under module name {@code name}. */
  static Manifest manifest(byte[] wasm, String name, boolean selfTest) throws IOException {
    String json =
        new String(resource("runtime/manifest.json"), StandardCharsets.UTF_8)
            .replace("NAME", name)
            .replace("SHA256", sha256(wasm))
            .replace("SELF_TEST", Boolean.toString(selfTest));
    return Manifest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static Manifest manifest(byte[] wasm) throws IOException {
    return manifest(wasm, "test-logic", false);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Fixtures.class.getResourceAsStream("/" + name)) {
      assertThat(in).as("test resource %s", name).isNotNull();
      return Objects.requireNonNull(in).readAllBytes();
    }
  }

  /** Inputs for the three test points: temp, burner, level. */
  static ProcessImage inputs(double temp) {
    return ProcessImage.good(temp, 0, 0);
  }
}
