package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.pkcs11.ObjectQuery;
import dev.graft.pkcs11.Pkcs11Module;
import dev.graft.pkcs11.SoftHsmToken;
import dev.graft.pkcs11.TokenCompositeKey;
import dev.graft.pkcs11.TokenSession;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
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

  @TempDir static Path temp;

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

  @Test
  @Order(6)
  void exportAndCsr_tokenEcdsaKey_matchTheGeneratedPublicKey() throws Exception {
    GraftRun.Result exported = withPin().run("key", "export", uri("alice-tls"));
    assertThat(exported.exitCode()).as(exported.toString()).isZero();
    assertThat(PublicKeyFile.decode(exported.out().getBytes(StandardCharsets.UTF_8), "stdout"))
        .isEqualTo(publicKey(temp.resolve("alice-tls.pub.json")));

    GraftRun.Result csr =
        withPin().run("key", "csr", uri("alice-tls"), "--subject", "CN=alice,O=Example Ltd");
    assertThat(csr.exitCode()).as(csr.toString()).isZero();
    PKCS10CertificationRequest request =
        new PKCS10CertificationRequest(
            Base64.getMimeDecoder()
                .decode(
                    csr.out()
                        .replace("-----BEGIN CERTIFICATE REQUEST-----", "")
                        .replace("-----END CERTIFICATE REQUEST-----", "")));
    PublicKey key =
        KeyFactory.getInstance("EC")
            .generatePublic(new X509EncodedKeySpec(request.getSubjectPublicKeyInfo().getEncoded()));
    assertThat(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key)))
        .isTrue();
    GraftRun.Result pem =
        withPin()
            .run("key", "export", temp.resolve("alice-tls.pub.json").toString(), "--format=pem");
    assertThat(pem.out().replaceAll("-----[A-Z ]+-----|\\s", ""))
        .isEqualTo(Base64.getEncoder().encodeToString(key.getEncoded()));
  }

  @Test
  @Order(7)
  void backup_tokenEcdsaKey_refusedPointingToTheVendorBackup() {
    Path out = temp.resolve("tls.backup.json");
    GraftRun.Result run =
        withPin()
            .env("BACKUP", "backup secret")
            .run(
                "key",
                "backup",
                uri("alice-tls"),
                "--out",
                out.toString(),
                "--backup-passphrase=env:BACKUP");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("not extractable").contains("token vendor's backup");
    assertThat(out).doesNotExist();
  }

  @Test
  @Order(8)
  void backupThenRestore_tokenCompositeMlDsaHalf_keySignsAgain() throws Exception {
    Path backup = temp.resolve("offline/targets-alice.backup.json");
    GraftRun.Result made =
        withPin()
            .env("BACKUP", "recovery passphrase")
            .run(
                "key",
                "backup",
                uri("targets-alice"),
                "--out",
                backup.toString(),
                "--backup-passphrase=env:BACKUP",
                "--kdf-iterations=10000");
    assertThat(made.exitCode()).as(made.toString()).isZero();
    TufKey key = publicKey(temp.resolve("targets-alice.pub.json"));
    assertThat(made.out())
        .contains("(token-mldsa-half) of key " + key.keyId())
        .contains("token vendor's backup");
    assertThat(Files.readString(backup)).contains("\"token_label\": \"targets-alice\"");

    // The token loses the wrapped half (say, only the Ed25519 pair came back from the vendor's
    // backup of a replaced token): the key cannot sign.
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      TokenCompositeKey composite =
          TokenCompositeKey.find(session, ObjectQuery.all().withLabel("targets-alice"));
      session.destroy(composite.wrappedSeedObject());
      session.destroy(composite.wrappingKey());
    }
    GraftRun.Result broken = withPin().run("key", "export", uri("targets-alice"));
    assertThat(broken.exitCode()).isEqualTo(1);

    GraftRun.Result wrong =
        withPin()
            .env("BACKUP", "not the recovery passphrase")
            .run(
                "key",
                "restore",
                backup.toString(),
                "--token",
                uri(""),
                "--backup-passphrase=env:BACKUP");
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err()).contains("backup passphrase is wrong");
    assertThat(withPin().run("key", "export", uri("targets-alice")).exitCode()).isEqualTo(1);

    GraftRun.Result restored =
        withPin()
            .env("BACKUP", "recovery passphrase")
            .run(
                "key",
                "restore",
                backup.toString(),
                "--token",
                uri(""),
                "--backup-passphrase=env:BACKUP",
                "--expect-key-id",
                key.keyId());
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    assertThat(restored.out()).contains("Restored key " + key.keyId()).contains("targets-alice");

    Path repo = temp.resolve("after-restore");
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
    assertThat(client.root().keys()).containsKey(key.keyId());
  }

  @Test
  @Order(9)
  void list_plainEd25519KeyMadeByAnotherTool_shownAsNotSigningByItself() throws Exception {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      session.generateEd25519KeyPair("foreign-ed");
    }

    GraftRun.Result table = withPin().run("key", "list", "--token", uri(""));
    GraftRun.Result json = withPin().run("key", "list", "--token", uri(""), "--json");

    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out())
        .containsPattern("foreign-ed\\s+[0-9a-f]{32}\\s+ed25519\\s+[0-9a-f]{16}\\s+no \\(only as");
    JsonObject listing =
        JsonParser.withDefaults().parseObject(json.out().getBytes(StandardCharsets.UTF_8));
    JsonObject foreign =
        listing.array("keys").values().stream()
            .map(JsonObject.class::cast)
            .filter(k -> k.string("label").equals("foreign-ed"))
            .findFirst()
            .orElseThrow();
    assertThat(foreign.bool("signing")).isFalse();
    GraftRun.Result backup =
        withPin()
            .run(
                "key",
                "backup",
                uri("foreign-ed"),
                "--out",
                temp.resolve("foreign.backup.json").toString(),
                "--backup-passphrase=env:PIN");
    assertThat(backup.exitCode()).isEqualTo(1);
    assertThat(backup.err()).contains("ed25519 key").contains("not extractable");
  }

  @Test
  @Order(10)
  void list_wrongPin_refusedWithoutShowingIt() {
    GraftRun.Result run =
        graft().env("PIN", "wrong-pin-1234").run("key", "list", "--token", uri(""));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("CKR_PIN_INCORRECT").doesNotContain("wrong-pin-1234");
  }
}
