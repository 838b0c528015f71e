package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.pkcs11.SoftHsmToken;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft key generate --token} and {@code graft key list} against a real SoftHSM2 token:
 * ECDSA P-256 and composite keys are made inside it and listed, Ed25519 is refused with the reason,
 * and a generated composite key signs a hybrid repository.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyTokenTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-keys");

  @TempDir Path temp;

  private static String uri(String label) {
    return "pkcs11:token="
        + TOKEN.label()
        + (label.isEmpty() ? "" : ";object=" + label)
        + "?module-path="
        + TOKEN.modulePath()
        + "&pin-source=env:PIN";
  }

  private static GraftRun withPin() {
    return graft().env("PIN", TOKEN.userPinText()).env("PASS", "online secret");
  }

  private static TufKey publicKey(Path file) throws Exception {
    return PublicKeyFile.decode(Files.readAllBytes(file), file.toString());
  }

  @Test
  @Order(1)
  void generate_ecdsaAndCompositeOnToken_publicKeyFilesWritten() throws Exception {
    GraftRun.Result ecdsa =
        withPin()
            .run(
                "key",
                "generate",
                "--type",
                "ecdsa-p256",
                "--token",
                uri("alice-tls"),
                "--pub",
                temp.resolve("alice-tls.pub.json").toString());
    assertThat(ecdsa.exitCode()).as(ecdsa.toString()).isZero();
    TufKey ecdsaKey = publicKey(temp.resolve("alice-tls.pub.json"));
    assertThat(ecdsaKey.keyType()).isEqualTo("ecdsa");
    assertThat(ecdsa.out())
        .contains("Generated ecdsa-p256 key " + ecdsaKey.keyId())
        .contains("not extractable")
        .doesNotContain(TOKEN.userPinText());

    GraftRun.Result composite =
        withPin()
            .run(
                "key",
                "generate",
                "--token",
                uri("targets-alice"),
                "--pub",
                temp.resolve("targets-alice.pub.json").toString(),
                "--json");
    assertThat(composite.exitCode()).as(composite.toString()).isZero();
    JsonObject json =
        JsonParser.withDefaults().parseObject(composite.out().getBytes(StandardCharsets.UTF_8));
    TufKey compositeKey = publicKey(temp.resolve("targets-alice.pub.json"));
    assertThat(compositeKey.keyType()).isEqualTo("mldsa65-ed25519");
    assertThat(json.string("key_id")).isEqualTo(compositeKey.keyId());
    assertThat(json.string("storage")).contains("not an HSM-resident key");
  }

  @Test
  @Order(2)
  void generate_ed25519OnToken_refusedWithTheReason() {
    GraftRun.Result run =
        withPin()
            .run(
                "key",
                "generate",
                "--type",
                "ed25519",
                "--token",
                uri("plain-ed"),
                "--pub",
                temp.resolve("plain-ed.pub.json").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("ed25519 keys are not generated on tokens")
        .contains("--type ecdsa-p256");
    assertThat(temp.resolve("plain-ed.pub.json")).doesNotExist();
    GraftRun.Result list = withPin().run("key", "list", "--token", uri(""));
    assertThat(list.out()).doesNotContain("plain-ed");
  }

  @Test
  @Order(3)
  void generate_labelInUse_refusedPublicFileNotWritten() {
    GraftRun.Result run =
        withPin()
            .run(
                "key",
                "generate",
                "--type",
                "ecdsa-p256",
                "--token",
                uri("alice-tls"),
                "--pub",
                temp.resolve("again.pub.json").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("alice-tls");
    assertThat(temp.resolve("again.pub.json")).doesNotExist();
  }

  @Test
  @Order(4)
  void list_tableAndJson_showTheGeneratedKeys() throws Exception {
    GraftRun.Result table = withPin().run("key", "list", "--token", uri(""));
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out())
        .contains("token 'graft-keys'")
        .contains("2 keys")
        .containsPattern("alice-tls\\s+[0-9a-f]{32}\\s+ecdsa-p256\\s+[0-9a-f]{16}\\s+yes")
        .containsPattern("targets-alice\\s+[0-9a-f]{32}\\s+composite\\s+[0-9a-f]{16}\\s+yes");

    GraftRun.Result json = withPin().run("key", "list", "--token", uri(""), "--json");
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonObject listing =
        JsonParser.withDefaults().parseObject(json.out().getBytes(StandardCharsets.UTF_8));
    List<JsonValue> keys = listing.array("keys").values();
    assertThat(keys).hasSize(2);
    assertThat(keys.stream().map(k -> ((JsonObject) k).string("label")))
        .containsExactlyInAnyOrder("alice-tls", "targets-alice");
    for (JsonValue value : keys) {
      JsonObject key = (JsonObject) value;
      assertThat(key.bool("signing")).isTrue();
      assertThat(TufKey.fromJson(key.object("public_key")).keyId()).isEqualTo(key.string("key_id"));
    }
  }

  @Test
  @Order(5)
  void generatedTokenCompositeKey_signsAHybridRepository() throws Exception {
    GraftRun.Result root =
        withPin()
            .run(
                "key",
                "generate",
                "--token",
                uri("root-1"),
                "--pub",
                temp.resolve("root-1.pub.json").toString());
    assertThat(root.exitCode()).as(root.toString()).isZero();
    Path repo = temp.resolve("repo");
    GraftRun.Result init =
        withPin()
            .run(
                "repo",
                "init",
                repo.toString(),
                "--passphrase=env:PASS",
                "--kdf-iterations=10000",
                "--root-key",
                uri("root-1"),
                "--targets-key",
                uri("targets-alice"));
    assertThat(init.exitCode()).as(init.toString()).isZero();

    TufClient client = Fixtures.client(repo, true, Clock.systemUTC());
    assertThat(client.root().keys())
        .containsKey(publicKey(temp.resolve("root-1.pub.json")).keyId());
  }
}
