package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Signatures and key ids agree with securesystemslib 0.26 (Debian's {@code
 * python3-securesystemslib}, importable only by {@code /usr/bin/python3}), in both directions: keys
 * it generates and signatures it makes verify in Graft, and Graft's verify in it.
 */
class SecuresystemslibInteropTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final byte[] MESSAGE =
      "{\"signed\":{\"_type\":\"root\",\"version\":1}}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OTHER_MESSAGE =
      "{\"signed\":{\"_type\":\"root\",\"version\":2}}".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  private static Path script;
  private static JsonArray generated;

  @BeforeAll
  static void runSecuresystemslib() throws Exception {
    assumeTrue(
        run(List.of(PYTHON, "-c", "import securesystemslib"), "").exitCode() == 0,
        "securesystemslib is not importable by " + PYTHON + "; interop not checked");
    script = dir.resolve("securesystemslib_interop.py");
    Files.write(script, VectorFile.resource("/interop/securesystemslib_interop.py"));
    Result result =
        run(List.of(PYTHON, script.toString(), "generate", HexFormat.of().formatHex(MESSAGE)), "");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    generated =
        (JsonArray)
            JsonParser.withDefaults().parse(result.stdout().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject generatedKey(String name) {
    for (JsonValue value : generated.values()) {
      JsonObject entry = (JsonObject) value;
      if (entry.string("name").equals(name)) {
        return entry;
      }
    }
    throw new IllegalStateException("securesystemslib made no " + name + " key");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "ecdsa", "rsa"})
  void keyId_ofSecuresystemslibKeyObject_isTheOneSecuresystemslibComputes(String name) {
    JsonObject entry = generatedKey(name);
    TufKey key = TufKey.fromJson(entry.object("key"));

    assertThat(key.keyId()).isEqualTo(entry.string("keyid"));
    assertThat(key.keyId()).isEqualTo(entry.string("signature_keyid"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "ecdsa", "rsa"})
  void verify_signatureMadeBySecuresystemslib_acceptsAndRejectsOtherMessage(String name) {
    JsonObject entry = generatedKey(name);
    TufKey key = TufKey.fromJson(entry.object("key"));
    Verifier verifier = Verifiers.forKey(key).orElseThrow();
    byte[] signature = HexFormat.of().parseHex(entry.string("sig"));

    assertThat(key.type()).isPresent();
    assertThat(verifier.verify(MESSAGE, signature)).isTrue();
    assertThat(verifier.verify(OTHER_MESSAGE, signature)).isFalse();
  }

  @Test
  void securesystemslib_verifiesGraftSignaturesAndComputesTheSameKeyIds() throws Exception {
    List<TufKey> keys = new ArrayList<>();
    List<JsonValue> items = new ArrayList<>();
    for (KeyType type : List.of(KeyType.ED25519, KeyType.ECDSA_P256)) {
      SoftwareKey signer = SoftwareKey.generate(type);
      // Each key twice: a signature of the message, and one of another message.
      for (byte[] signed : List.of(MESSAGE, OTHER_MESSAGE)) {
        keys.add(signer.publicKey());
        items.add(
            JsonObject.builder()
                .put("key", signer.publicKey().json())
                .put("sig", HexFormat.of().formatHex(signer.sign(signed)))
                .build());
      }
    }
    JsonObject request =
        JsonObject.builder()
            .put("message", HexFormat.of().formatHex(MESSAGE))
            .put("keys", new JsonArray(items))
            .build();

    Result result =
        run(
            List.of(PYTHON, script.toString(), "verify"),
            // Canonical JSON leaves the PEM's newlines raw, which is not RFC 8259 JSON; pretty JSON
            // escapes.
            new String(PrettyJson.encode(request), StandardCharsets.UTF_8));
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    JsonArray answers =
        (JsonArray)
            JsonParser.withDefaults().parse(result.stdout().getBytes(StandardCharsets.UTF_8));

    assertThat(answers.size()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      JsonObject answer = (JsonObject) answers.get(i);
      assertThat(answer.bool("valid")).as("signature %d", i).isEqualTo(i % 2 == 0);
      assertThat(answer.string("keyid")).isEqualTo(keys.get(i).keyId());
    }
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private static Result run(List<String> command, String stdin)
      throws IOException, InterruptedException {
    Path errors = Files.createTempFile("securesystemslib", ".err");
    try {
      Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      byte[] stdout = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      return new Result(
          process.exitValue(),
          new String(stdout, StandardCharsets.UTF_8),
          Files.readString(errors));
    } catch (IOException e) {
      if (!Files.exists(Path.of(command.get(0)))) {
        return new Result(127, "", command.get(0) + " not found");
      }
      throw e;
    } finally {
      Files.deleteIfExists(errors);
    }
  }
}
