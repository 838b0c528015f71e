package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.signer.GraftRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Root and online key rotation, and staged files changed behind the signers' backs. */
class RotationTest {
  private static final String PASS = "rotation passphrase";

  @TempDir Path temp;
  private Path repo;

  private static GraftRun run() {
    return graft().env("PASS", PASS).env("GRAFT_ONLINE_PASSPHRASE", PASS);
  }

  @BeforeEach
  void init() {
    repo = temp.resolve("repo");
    GraftRun.Result init =
        run()
            .run(
                "repo", "init", repo.toString(), "--passphrase=env:PASS", "--kdf-iterations=10000");
    assertThat(init.exitCode()).as(init.toString()).isZero();
  }

  private GraftRun.Result signRoot(Path key) {
    return run()
        .run(
            "sign",
            repo.toString(),
            "root",
            "--key",
            key.toString(),
            "--passphrase=env:PASS",
            "--yes");
  }

  @Test
  void rotateRoot_newKeyAndThreshold_needsOldAndNewRootSignatures() throws Exception {
    SoftwareKey dave = Fixtures.keyFiles(temp, "dave", KeyType.MLDSA65_ED25519, PASS);

    GraftRun.Result rotate =
        run()
            .run(
                "repo",
                "rotate-root",
                repo.toString(),
                "--add-key",
                temp.resolve("dave.pub.json").toString(),
                "--threshold",
                "2");
    assertThat(rotate.exitCode()).as(rotate.toString()).isZero();
    assertThat(rotate.out())
        .contains("root threshold 1 -> 2 of 2 key(s)", "+ root key " + dave.keyId());

    GraftRun.Result byDave = signRoot(temp.resolve("dave.pem"));
    assertThat(byDave.exitCode()).as(byDave.toString()).isZero();
    assertThat(byDave.out())
        .contains("has 1 of 2 required signatures (keys of root version 2)")
        .contains("has 0 of 1 required signatures (keys of root version 1)")
        .doesNotContain("Published");
    GraftRun.Result byOldRoot = signRoot(repo.resolve("keys/root-1.pem"));
    assertThat(byOldRoot.exitCode()).as(byOldRoot.toString()).isZero();
    assertThat(byOldRoot.out()).contains("Published metadata/2.root.json");

    TufClient client = Fixtures.client(repo, true, Clock.systemUTC());
    assertThat(client.root().version()).isEqualTo(2);
    assertThat(client.root().role(RoleType.ROOT).keyIds()).contains(dave.keyId());
  }

  @Test
  void rotateKey_onlineTimestampKey_newKeySignsOnceRootIsPublished() throws Exception {
    SoftwareKey fresh = Fixtures.keyFiles(temp, "timestamp-2027", KeyType.MLDSA65_ED25519, PASS);
    String oldId =
        Fixtures.client(repo, true, Clock.systemUTC())
            .root()
            .role(RoleType.TIMESTAMP)
            .keyIds()
            .getFirst();

    GraftRun.Result rotate =
        run()
            .run(
                "repo",
                "rotate-key",
                repo.toString(),
                "timestamp",
                "--add",
                temp.resolve("timestamp-2027.pem").toString(),
                "--remove",
                oldId.substring(0, 10),
                "--passphrase=env:PASS");
    assertThat(rotate.exitCode()).as(rotate.toString()).isZero();
    assertThat(rotate.out()).contains("- timestamp key " + oldId + " removed");
    GraftRun.Result sign = signRoot(repo.resolve("keys/root-1.pem"));
    assertThat(sign.exitCode()).as(sign.toString()).isZero();
    assertThat(sign.out()).contains("Published metadata/2.root.json", "metadata/timestamp.json");

    TufClient client = Fixtures.client(repo, true, Clock.systemUTC());
    assertThat(client.root().role(RoleType.TIMESTAMP).keyIds()).containsExactly(fresh.keyId());
    assertThat(client.timestamp().orElseThrow().version()).isEqualTo(2);
  }

  @Test
  void stagedTargetsChangedAfterSigning_refusedWithTheDocumentedMessage() throws Exception {
    Path bundle = Fixtures.bundle(temp, "thermostat", "1.0.0");
    GraftRun.Result add =
        run().run("release", "add", repo.toString(), bundle.toString(), "--hardware", "gw-1");
    assertThat(add.exitCode()).isZero();
    // A second targets key, so that one signature stays staged instead of publishing.
    Fixtures.keyFiles(temp, "erin", KeyType.MLDSA65_ED25519, PASS);
    GraftRun.Result rotate =
        run()
            .run(
                "repo",
                "rotate-key",
                repo.toString(),
                "targets",
                "--add",
                temp.resolve("erin.pub.json").toString(),
                "--threshold",
                "2");
    assertThat(rotate.exitCode()).as(rotate.toString()).isZero();
    GraftRun.Result first =
        run()
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                repo.resolve("keys/targets-1.pem").toString(),
                "--passphrase=env:PASS",
                "--yes");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    Path staged = repo.resolve("staged/targets.json");
    Files.writeString(staged, Files.readString(staged).replace("\"gw-1\"", "\"gw-evil\""));

    GraftRun.Result status = run().run("status", repo.toString());

    assertThat(status.exitCode()).isEqualTo(1);
    assertThat(status.err())
        .contains("staged/targets.json does not verify: its signature by key")
        .contains("does not verify over its content")
        .contains("The file was changed after it was signed");
  }
}
