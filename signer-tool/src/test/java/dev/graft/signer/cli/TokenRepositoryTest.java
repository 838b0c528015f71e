package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.pkcs11.Pkcs11Module;
import dev.graft.pkcs11.SoftHsmToken;
import dev.graft.pkcs11.TokenCompositeKey;
import dev.graft.pkcs11.TokenSession;
import dev.graft.signer.GraftRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hybrid repository whose root and targets keys are composite keys held on SoftHSM2 (the Ed25519
 * half on the token, the ML-DSA-65 half wrapped under a token AES key), signed 2 of 2 through
 * {@code pkcs11:} URIs, and accepted by the trust core with hybrid signatures required.
 */
class TokenRepositoryTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-release");

  private static final Map<String, TufKey> KEYS = new HashMap<>();

  @TempDir Path temp;

  @BeforeAll
  static void generateKeys() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      for (String label : new String[] {"root-1", "targets-1", "targets-2"}) {
        KEYS.put(label, TokenCompositeKey.generate(session, label).publicKey());
      }
    }
  }

  private static String uri(String label) {
    return "pkcs11:token="
        + TOKEN.label()
        + ";object="
        + label
        + ";type=private?module-path="
        + TOKEN.modulePath()
        + "&pin-source=env:PIN";
  }

  private static GraftRun withPin() {
    return graft()
        .env("PIN", TOKEN.userPinText())
        .env("PASS", "online secret")
        .env("GRAFT_ONLINE_PASSPHRASE", "online secret");
  }

  @Test
  void tokenKeys_initReleaseAndSignTwoOfTwo_acceptedWithHybridRequired() throws Exception {
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
                uri("targets-1"),
                "--targets-key",
                uri("targets-2"),
                "--targets-threshold",
                "2");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(repo.resolve("keys/root-1.pem")).doesNotExist();
    assertThat(repo.resolve("keys/timestamp.pem")).exists();
    assertThat(Files.readString(repo.resolve("metadata/1.root.json")))
        .contains(KEYS.get("root-1").keyId(), KEYS.get("targets-2").keyId())
        .doesNotContain(TOKEN.userPinText());

    Path bundle = Fixtures.bundle(temp, "boiler-control", "1.4.0");
    GraftRun.Result add =
        withPin()
            .run(
                "release",
                "add",
                repo.toString(),
                bundle.toString(),
                "--hardware",
                "gw-arm64",
                "--hardware",
                "gw-x86-64");
    assertThat(add.exitCode()).as(add.toString()).isZero();

    GraftRun.Result first =
        withPin().run("sign", repo.toString(), "targets", "--key", uri("targets-1"), "--yes");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out())
        .contains("key " + KEYS.get("targets-1").keyId())
        .contains("1 of 2 required signatures");
    GraftRun.Result second =
        withPin().run("sign", repo.toString(), "targets", "--key", uri("targets-2"), "--yes");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.out()).contains("Published metadata/2.targets.json");

    TufClient client = Fixtures.client(repo, true, Clock.systemUTC());
    var target = client.requireTarget("boiler-control-1.4.0.graft");
    assertThat(client.downloadTarget(target)).isEqualTo(Files.readAllBytes(bundle));
    assertThat(target.custom().orElseThrow().object("graft").array("hardware").values()).hasSize(2);
  }

  @Test
  void rotateRoot_signedByTheTokenKey_clientWalksToVersionTwo() throws Exception {
    Path repo = temp.resolve("rotated");
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
                uri("targets-1"));
    assertThat(init.exitCode()).as(init.toString()).isZero();
    TufClient before = Fixtures.client(repo, true, Clock.systemUTC());
    assertThat(before.root().version()).isEqualTo(1);

    GraftRun.Result rotate =
        withPin()
            .run(
                "repo",
                "rotate-key",
                repo.toString(),
                "targets",
                "--add",
                uri("targets-2"),
                "--threshold",
                "2");
    assertThat(rotate.exitCode()).as(rotate.toString()).isZero();
    assertThat(rotate.out())
        .contains("+ targets key " + KEYS.get("targets-2").keyId())
        .contains("targets threshold 1 -> 2");
    assertThat(rotate.out()).contains("Staged a new targets version with the same targets");
    GraftRun.Result sign =
        withPin().run("sign", repo.toString(), "root", "--key", uri("root-1"), "--yes");
    assertThat(sign.exitCode()).as(sign.toString()).isZero();
    // Root 2 alone would strand targets 1 (signed by one key; root 2 wants two): held back.
    assertThat(sign.out()).doesNotContain("Published").contains("has its signatures");
    assertThat(repo.resolve("metadata/2.root.json")).doesNotExist();
    GraftRun.Result first =
        withPin().run("sign", repo.toString(), "targets", "--key", uri("targets-1"), "--yes");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out()).contains("1 of 2 required signatures").doesNotContain("Published");
    GraftRun.Result second =
        withPin().run("sign", repo.toString(), "targets", "--key", uri("targets-2"), "--yes");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.out())
        .contains(
            "Published metadata/2.root.json, metadata/2.targets.json, metadata/2.snapshot.json");

    TufClient after = Fixtures.client(repo, true, Clock.systemUTC());
    assertThat(after.root().version()).isEqualTo(2);
    assertThat(after.root().role(dev.graft.bundle.metadata.RoleType.TARGETS).threshold())
        .isEqualTo(2);
  }
}
