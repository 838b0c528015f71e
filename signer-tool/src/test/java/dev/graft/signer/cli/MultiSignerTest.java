package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.signer.ExitCode;
import dev.graft.signer.GraftRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2-of-3 targets signing by three key holders, each with their own key file and passphrase (as on
 * their own machines), including one who signs air-gapped through a request file.
 */
class MultiSignerTest {
  @TempDir Path temp;

  private Path repo;
  private Path holders;
  private SoftwareKey alice;
  private SoftwareKey bob;
  private SoftwareKey carol;

  @BeforeEach
  void createRepository() throws Exception {
    holders = temp.resolve("holders");
    alice = Fixtures.keyFiles(holders, "alice", KeyType.MLDSA65_ED25519, "alice secret");
    bob = Fixtures.keyFiles(holders, "bob", KeyType.MLDSA65_ED25519, "bob secret");
    carol = Fixtures.keyFiles(holders, "carol", KeyType.MLDSA65_ED25519, "carol secret");
    repo = temp.resolve("repo");
    GraftRun.Result init =
        graft()
            .env("PASS", "online secret")
            .run(
                "repo",
                "init",
                repo.toString(),
                "--passphrase=env:PASS",
                "--kdf-iterations=10000",
                "--targets-key",
                holders.resolve("alice.pub.json").toString(),
                "--targets-key",
                holders.resolve("bob.pub.json").toString(),
                "--targets-key",
                holders.resolve("carol.pub.json").toString(),
                "--targets-threshold",
                "2");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(init.out()).contains("targets: 2 of 3 key(s)");
  }

  private GraftRun holder(String name) {
    return graft().env("PASS", name + " secret").env("GRAFT_ONLINE_PASSPHRASE", "online secret");
  }

  private GraftRun.Result sign(String name) {
    return holder(name)
        .run(
            "sign",
            repo.toString(),
            "targets",
            "--key",
            holders.resolve(name + ".pem").toString(),
            "--passphrase=env:PASS",
            "--yes");
  }

  @Test
  void twoOfThree_statusBeforeAndAfter_publishesAtTheSecondSignature() throws Exception {
    GraftRun.Result before = graft().run("status", repo.toString(), "--check");
    assertThat(before.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(before.out())
        .contains("targets: nothing published")
        .contains("staged version 1 has 0 of 2 required signatures")
        .contains("run `graft sign " + repo + " targets --key …` with one of: " + alice.keyId());

    GraftRun.Result first = sign("alice");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out()).contains("staged version 1 has 1 of 2 required signatures");
    assertThat(repo.resolve("metadata/1.targets.json")).doesNotExist();

    GraftRun.Result again = sign("alice");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("key " + alice.keyId() + " has already signed targets");

    GraftRun.Result second = sign("carol");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.out()).contains("Published metadata/1.targets.json");
    GraftRun.Result after = graft().run("status", repo.toString(), "--check", "--json");
    assertThat(after.exitCode()).as(after.toString()).isZero();
    assertThat(after.out()).contains("\"targets\": {", "\"published\": {").doesNotContain("staged");
    assertThat(Fixtures.client(repo, true, Clock.systemUTC()).topLevelTargets().version())
        .isEqualTo(1);
  }

  @Test
  void sign_keyThatIsNotTheRoles_refusedNamingKeyAndRoleKeys() throws Exception {
    SoftwareKey mallory =
        Fixtures.keyFiles(holders, "mallory", KeyType.MLDSA65_ED25519, "mallory secret");

    GraftRun.Result result = sign("mallory");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("key " + mallory.keyId() + " is not one of the keys of role targets")
        .contains(alice.keyId(), bob.keyId(), carol.keyId());
    assertThat(Files.readString(repo.resolve("staged/targets.json")))
        .doesNotContain(mallory.keyId());
  }

  @Test
  void sign_whileAnotherCommandHoldsTheRepository_refusedUntilItFinishes() throws Exception {
    try (var lock = dev.graft.signer.repo.RepoLock.acquire(repo)) {
      GraftRun.Result blocked = sign("bob");

      assertThat(blocked.exitCode()).isEqualTo(1);
      assertThat(blocked.err()).contains("another graft command is changing " + repo);
    }
    GraftRun.Result after = sign("bob");
    assertThat(after.exitCode()).as(after.toString()).isZero();
    assertThat(after.out()).contains("1 of 2 required signatures");
  }

  @Test
  void sign_passphraseTypedAtThePrompt_signs() {
    GraftRun.Result result =
        graft()
            .prompting("bob secret")
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                holders.resolve("bob.pem").toString(),
                "--yes");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("Added signature by key " + bob.keyId());
  }

  @Test
  void sign_noTerminalToAskThePassphraseOn_saysHowToGiveIt() {
    GraftRun.Result result =
        graft()
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                holders.resolve("bob.pem").toString(),
                "--yes");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("cannot ask for the passphrase of key file")
        .contains("name a file or an environment variable");
  }

  @Test
  void sign_declinedAtTheConfirmation_changesNothing() throws Exception {
    byte[] before = Files.readAllBytes(repo.resolve("staged/targets.json"));

    GraftRun.Result result =
        holder("bob")
            .typing("n")
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                holders.resolve("bob.pem").toString(),
                "--passphrase=env:PASS");

    assertThat(result.exitCode()).isEqualTo(ExitCode.DECLINED.code());
    assertThat(result.out()).contains("targets version (none) -> 1");
    assertThat(Files.readAllBytes(repo.resolve("staged/targets.json"))).isEqualTo(before);
  }

  @Test
  void airGapped_exportRequestSignImport_roundTrip() throws Exception {
    assertThat(sign("alice").exitCode()).isZero();
    // The transfer folder does not exist yet: export creates it.
    Path request = temp.resolve("transfer/targets-1.request.json");

    GraftRun.Result export =
        graft().run("sign", repo.toString(), "targets", "--export-request", request.toString());
    assertThat(export.exitCode()).as(export.toString()).isZero();

    // The offline machine has only the request and bob's key: no repository.
    GraftRun.Result offline =
        holder("bob")
            .typing("y")
            .run(
                "sign",
                "--request",
                request.toString(),
                "--key",
                holders.resolve("bob.pem").toString(),
                "--passphrase=env:PASS");
    assertThat(offline.exitCode()).as(offline.toString()).isZero();
    assertThat(offline.out()).contains("targets version (none) -> 1");
    Path signature = temp.resolve("transfer/targets-1.request.sig.json");
    assertThat(signature).exists();

    GraftRun.Result imported =
        holder("alice").run("sign", repo.toString(), "--import", signature.toString());
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    assertThat(imported.out())
        .contains("Added signature by key " + bob.keyId())
        .contains("Published metadata/1.targets.json");
    assertThat(Fixtures.client(repo, true, Clock.systemUTC()).topLevelTargets().version())
        .isEqualTo(1);
  }

  @Test
  void import_signatureAlteredInTransit_refused() throws Exception {
    Path request = temp.resolve("targets-1.request.json");
    assertThat(
            graft()
                .run("sign", repo.toString(), "targets", "--export-request", request.toString())
                .exitCode())
        .isZero();
    assertThat(
            holder("bob")
                .run(
                    "sign",
                    "--request",
                    request.toString(),
                    "--key",
                    holders.resolve("bob.pem").toString(),
                    "--passphrase=env:PASS",
                    "--yes")
                .exitCode())
        .isZero();
    Path signature = temp.resolve("targets-1.request.sig.json");
    String json = Files.readString(signature);
    int at = json.indexOf("\"sig\": \"") + 8;
    char flipped = json.charAt(at) == '0' ? '1' : '0';
    Files.writeString(signature, json.substring(0, at) + flipped + json.substring(at + 1));

    GraftRun.Result imported =
        holder("alice").run("sign", repo.toString(), "--import", signature.toString());

    assertThat(imported.exitCode()).isEqualTo(1);
    assertThat(imported.err()).contains("the signature by key " + bob.keyId() + " does not verify");
    assertThat(Files.readString(repo.resolve("staged/targets.json"))).doesNotContain(bob.keyId());
  }
}
