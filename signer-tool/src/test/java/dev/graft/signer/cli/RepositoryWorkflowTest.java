package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.signer.ExitCode;
import dev.graft.signer.GraftRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository workflow end to end, every step through the real command line. */
class RepositoryWorkflowTest {
  private static final String PASS = "demo passphrase 1";

  @TempDir Path temp;

  private static GraftRun demo() {
    return graft().env("PASS", PASS).env("GRAFT_ONLINE_PASSPHRASE", PASS);
  }

  private Path demoRepository(String... extra) {
    Path repo = temp.resolve("repo");
    String[] args = new String[5 + extra.length];
    args[0] = "repo";
    args[1] = "init";
    args[2] = repo.toString();
    args[3] = "--passphrase=env:PASS";
    args[4] = "--kdf-iterations=10000";
    System.arraycopy(extra, 0, args, 5, extra.length);
    GraftRun.Result init = demo().run(args);
    assertThat(init.exitCode()).as(init.toString()).isZero();
    return repo;
  }

  @Test
  void init_demoDefaults_publishesAConsistentHybridRepository() throws Exception {
    Path repo = demoRepository();

    assertThat(repo.resolve("metadata/1.root.json")).exists();
    assertThat(repo.resolve("metadata/1.targets.json")).exists();
    assertThat(repo.resolve("metadata/1.snapshot.json")).exists();
    assertThat(repo.resolve("metadata/timestamp.json")).exists();
    assertThat(repo.resolve("keys/targets-1.pem")).exists();
    assertThat(Files.getPosixFilePermissions(repo.resolve("keys/root-1.pem")).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    assertThat(Files.readString(repo.resolve("metadata/1.root.json")))
        .contains("\"mldsa65-ed25519\"")
        .doesNotContain("\"keytype\": \"ed25519\"");
    TufClient client = Fixtures.client(repo, true, Clock.systemUTC());
    assertThat(client.topLevelTargets().targets()).isEmpty();
  }

  @Test
  void releaseAddThenSign_targetReadableThroughTheTrustCore() throws Exception {
    Path repo = demoRepository();
    Path bundle = Fixtures.bundle(temp, "thermostat", "1.0.0");

    GraftRun.Result add =
        demo().run("release", "add", repo.toString(), bundle.toString(), "--hardware", "gw-x86-64");
    assertThat(add.exitCode()).as(add.toString()).isZero();
    assertThat(add.out()).contains("staged version 2 has 0 of 1 required signatures");
    GraftRun.Result sign =
        demo()
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                repo.resolve("keys/targets-1.pem").toString(),
                "--passphrase=env:PASS",
                "--yes");

    assertThat(sign.exitCode()).as(sign.toString()).isZero();
    assertThat(sign.out())
        .contains("+ added   thermostat-1.0.0.graft", "release counter 1, hardware gw-x86-64)")
        .doesNotContain("JsonString")
        .contains(
            "Published metadata/2.targets.json, metadata/2.snapshot.json,"
                + " metadata/timestamp.json");
    TufClient client = Fixtures.client(repo, true, Clock.systemUTC());
    TargetFile target = client.requireTarget("thermostat-1.0.0.graft");
    assertThat(client.downloadTarget(target)).isEqualTo(Files.readAllBytes(bundle));
    assertThat(target.hashes()).containsKeys("sha256", "sha512");
    var graftFields = target.custom().orElseThrow().object("graft");
    assertThat(graftFields.string("module")).isEqualTo("thermostat");
    assertThat(graftFields.integer("release_counter")).isEqualTo(1);
    assertThat(graftFields.object("chunks").integer("size")).isEqualTo(65536);
    assertThat(graftFields.object("chunks").string("list_sha256")).hasSize(64);
  }

  @Test
  void releaseCounter_nextInRepositoryAndExplicitMustBeAbove() throws Exception {
    Path repo = demoRepository();
    Path v1 = Fixtures.bundle(temp, "boiler", "1.0.0");
    Path v2 = Fixtures.bundle(temp, "boiler", "1.1.0");
    assertThat(add(repo, v1).exitCode()).isZero();
    GraftRun.Result second = add(repo, v2);
    assertThat(second.out()).contains("boiler-1.1.0.graft", "release counter 2");

    GraftRun.Result again = add(repo, v1);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err())
        .contains("already released with release counter 1", "--release-counter 3");
    GraftRun.Result low = add(repo, v1, "--release-counter", "2");
    assertThat(low.exitCode()).isEqualTo(1);
    assertThat(low.err()).contains("release counter 2 is not above 2", "boiler-1.1.0.graft");
    GraftRun.Result rerelease = add(repo, v1, "--release-counter", "3");
    assertThat(rerelease.exitCode()).as(rerelease.toString()).isZero();
    assertThat(rerelease.out()).contains("Re-released boiler-1.0.0.graft", "release counter 3");
  }

  /**
   * One counter for the whole repository: a gateway's floor is the counter of whatever module it
   * committed last, so another module's release must come above it, not restart at 1.
   */
  @Test
  void releaseCounter_secondModule_continuesRepositoryWideCounter() throws Exception {
    Path repo = demoRepository();
    Path boiler = Fixtures.bundle(temp, "boiler", "1.0.0");
    Path boiler11 = Fixtures.bundle(temp, "boiler", "1.1.0");
    Path door = Fixtures.bundle(temp, "door", "1.0.0");
    assertThat(add(repo, boiler).exitCode()).isZero();
    assertThat(add(repo, boiler11).exitCode()).isZero();

    GraftRun.Result other = add(repo, door);

    assertThat(other.exitCode()).as(other.toString()).isZero();
    assertThat(other.out()).contains("door-1.0.0.graft", "release counter 3");
    Path door2 = Fixtures.bundle(temp, "door", "2.0.0");
    GraftRun.Result low = add(repo, door2, "--release-counter", "3");
    assertThat(low.exitCode()).isEqualTo(1);
    assertThat(low.err())
        .contains("release counter 3 is not above 3", "the highest in this repository");
  }

  @Test
  void releaseAdd_notABundle_refusedWithoutChanges() throws Exception {
    Path repo = demoRepository();
    Path junk = temp.resolve("junk.graft");
    Files.writeString(junk, "not a zip");

    GraftRun.Result add = add(repo, junk);

    assertThat(add.exitCode()).isEqualTo(1);
    assertThat(add.err()).contains("junk.graft is not a valid Graft bundle");
    assertThat(repo.resolve("staged/targets.json")).doesNotExist();
  }

  @Test
  void tamperedPublishedTargets_refusedWithTheDocumentedMessage() throws Exception {
    Path repo = demoRepository();
    Path targets = repo.resolve("metadata/1.targets.json");
    Files.writeString(
        targets, Files.readString(targets).replace("\"version\": 1", "\"version\": 1 "));
    String tampered =
        Files.readString(targets).replaceFirst("\"expires\": \"2", "\"expires\": \"3");
    Files.writeString(targets, tampered);

    GraftRun.Result status = demo().run("status", repo.toString());

    assertThat(status.exitCode()).isEqualTo(1);
    assertThat(status.err())
        .contains("1.targets.json does not verify")
        .contains("The file was changed after it was signed, or is damaged");
  }

  @Test
  void tamperedTargetFile_refusedBeforeSigning() throws Exception {
    Path repo = demoRepository();
    Path bundle = Fixtures.bundle(temp, "thermostat", "1.0.0");
    assertThat(add(repo, bundle).exitCode()).isZero();
    try (var files = Files.list(repo.resolve("targets"))) {
      Path stored = files.findFirst().orElseThrow();
      byte[] bytes = Files.readAllBytes(stored);
      bytes[bytes.length / 2] ^= 1;
      Files.write(stored, bytes);
    }

    GraftRun.Result sign =
        demo()
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                repo.resolve("keys/targets-1.pem").toString(),
                "--passphrase=env:PASS",
                "--yes");

    assertThat(sign.exitCode()).isEqualTo(1);
    assertThat(sign.err())
        .contains("does not verify: it does not match target thermostat-1.0.0.graft")
        .contains("The file was changed after it was signed");
    assertThat(repo.resolve("metadata/2.targets.json")).doesNotExist();
  }

  @Test
  void expireCheckAndRefreshTimestamp_forTimers() throws Exception {
    Path repo = demoRepository();

    GraftRun.Result fine = demo().run("repo", "expire-check", repo.toString());
    assertThat(fine.exitCode()).as(fine.toString()).isZero();
    GraftRun.Result soon = demo().run("repo", "expire-check", repo.toString(), "--within", "100d");
    assertThat(soon.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(soon.out()).contains("targets: version 1", "expires within 100d");
    GraftRun.Result online =
        demo().run("repo", "expire-check", repo.toString(), "--online-within", "2d");
    assertThat(online.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(online.out()).contains("timestamp: version 1", "expires within 2d");

    Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC);
    GraftRun.Result expired = demo().clock(later).run("repo", "expire-check", repo.toString());
    assertThat(expired.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(expired.out()).contains("timestamp: version 1").contains("EXPIRED");

    GraftRun.Result refresh = demo().clock(later).run("repo", "refresh-timestamp", repo.toString());
    assertThat(refresh.exitCode()).as(refresh.toString()).isZero();
    assertThat(refresh.out()).contains("metadata/timestamp.json");
    GraftRun.Result after = demo().clock(later).run("repo", "expire-check", repo.toString());
    assertThat(after.exitCode()).as(after.toString()).isZero();
    assertThat(Fixtures.client(repo, true, later).timestamp().orElseThrow().version()).isEqualTo(2);
  }

  private GraftRun.Result add(Path repo, Path bundle, String... extra) {
    String[] args = new String[6 + extra.length];
    args[0] = "release";
    args[1] = "add";
    args[2] = repo.toString();
    args[3] = bundle.toString();
    args[4] = "--hardware";
    args[5] = "gw-x86-64";
    System.arraycopy(extra, 0, args, 6, extra.length);
    return demo().run(args);
  }
}
