package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.signer.ExitCode;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft verify} over a repository made with {@code repo init}, {@code release add} and
 * {@code sign}, then with files changed behind its back.
 */
class VerifyTest {
  private static final String DOES_NOT_VERIFY_FIX =
      "The file was changed after it was signed, or is damaged; restore it from a backup or the"
          + " published copy, and do not sign or publish until it verifies";

  @TempDir Path temp;

  private Path bundle;
  private Path repo;

  @BeforeEach
  void release() {
    bundle = Examples.bundle(temp, "thermostat");
    repo = DemoRepository.withRelease(temp, bundle);
  }

  private Path targetFile() throws Exception {
    try (Stream<Path> files = Files.list(repo.resolve("targets"))) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".thermostat-1.0.0.graft"))
          .findFirst()
          .orElseThrow();
    }
  }

  @Test
  void verify_signedRepository_passesEveryCheck() {
    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .containsPattern("ok +trust anchor +.*1.root.json signs itself; hybrid")
        .containsPattern("ok +root chain +version 1, no rotations; expires")
        .containsPattern("ok +timestamp +version 2")
        .containsPattern("ok +snapshot +version 2 as timestamp names it")
        .containsPattern("ok +targets +version 2 as snapshot names it, .*1 target\\(s\\)")
        .containsPattern("ok +target files +1 of 1 match")
        .containsPattern("ok +staged +nothing staged")
        .contains("Verified: every check passed.");
  }

  @Test
  void verify_json_listsEveryCheckAsPassed() {
    GraftRun.Result result = graft().run("verify", repo.toString(), "--json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonObject report =
        JsonParser.withDefaults().parseObject(result.out().getBytes(StandardCharsets.UTF_8));
    assertThat(report.bool("verified")).isTrue();
    assertThat(report.array("checks").values())
        .extracting(v -> ((JsonObject) v).string("check"))
        .containsExactly(
            "trust anchor",
            "root chain",
            "timestamp",
            "snapshot",
            "targets",
            "target files",
            "release counters",
            "staged");
    for (JsonValue check : report.array("checks").values()) {
      assertThat(((JsonObject) check).bool("ok")).isTrue();
    }
  }

  /**
   * Per-module counters (what {@code release add} used to assign) give two releases of different
   * modules one counter; a gateway's floor cannot order them, so verify refuses the repository.
   */
  @Test
  void verify_twoReleasesShareACounter_failsWithTheFix() throws Exception {
    Path door = Fixtures.bundle(temp, "door", "1.0.0");
    GraftRun.Result add =
        DemoRepository.demo()
            .run("release", "add", repo.toString(), door.toString(), "--hardware", "gw-x86-64");
    assertThat(add.exitCode()).as(add.toString()).isZero();
    Path staged = repo.resolve("staged/targets.json");
    String text = Files.readString(staged);
    assertThat(text).contains("\"release_counter\": 2");
    Files.writeString(staged, text.replace("\"release_counter\": 2", "\"release_counter\": 1"));
    GraftRun.Result sign =
        DemoRepository.demo()
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                repo.resolve("keys/targets-1.pem").toString(),
                "--passphrase=env:PASS",
                "--yes");
    assertThat(sign.exitCode()).as(sign.toString()).isZero();

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out() + result.err())
        .contains("share release counter 1")
        .contains("counters must increase over the whole repository")
        .contains("--release-counter 2");
  }

  @Test
  void verify_withReleasedBundle_namesTheTarget() {
    GraftRun.Result result = graft().run("verify", repo.toString(), "--bundle", bundle.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .containsPattern(
            "ok +bundle +.*thermostat.graft is target thermostat-1.0.0.graft \\(thermostat 1.0.0,"
                + " release counter 1\\): length, sha256 and sha512 match");
  }

  @Test
  void verify_withUnreleasedBundle_refused() {
    Path other = Examples.bundle(temp, "boiler-control-1.0");

    GraftRun.Result result = graft().run("verify", repo.toString(), "--bundle", other.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.out()).containsPattern("FAIL +bundle").contains("NOT verified.");
    assertThat(result.err())
        .contains(other + " (sha256 ")
        .contains("is not a target of this repository")
        .contains("they list thermostat-1.0.0.graft");
  }

  @Test
  void verify_withDifferentBuildOfTheReleasedVersion_refusedNamingBothHashes() throws Exception {
    // Same module and version, different bytes: the manifest differs in one space.
    Path manifest = temp.resolve("thermostat-rebuilt.json");
    Files.writeString(manifest, Files.readString(Examples.manifest("thermostat")) + " ");
    Path rebuilt = temp.resolve("rebuilt.graft");
    GraftRun.Result build =
        graft()
            .run(
                "bundle",
                "build",
                "--wasm",
                Examples.wasm("thermostat").toString(),
                "--manifest",
                manifest.toString(),
                "--out",
                rebuilt.toString());
    assertThat(build.exitCode()).as(build.toString()).isZero();

    GraftRun.Result result = graft().run("verify", repo.toString(), "--bundle", rebuilt.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains(rebuilt + " is not the released thermostat-1.0.0.graft")
        .contains("different build or was changed after release");
  }

  @Test
  void verify_tamperedTargetFile_refusedWithTheDocumentedMessage() throws Exception {
    Path target = targetFile();
    byte[] bytes = Files.readAllBytes(target);
    bytes[bytes.length - 30] ^= 0x01;
    Files.write(target, bytes);

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.out()).containsPattern("ok +targets").containsPattern("FAIL +target files");
    assertThat(result.err())
        .contains("graft verify: " + target + " does not verify: it does not match target")
        .contains(DOES_NOT_VERIFY_FIX);
  }

  @Test
  void verify_missingTargetFile_refusedNamingIt() throws Exception {
    Path target = targetFile();
    Files.delete(target);

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains("target thermostat-1.0.0.graft is missing: " + target + " does not exist");
  }

  @Test
  void verify_tamperedTargetsMetadata_refusedWithTheDocumentedMessage() throws Exception {
    Path targets = repo.resolve("metadata/2.targets.json");
    String text = Files.readString(targets);
    assertThat(text).contains("\"gw-x86-64\"");
    Files.writeString(targets, text.replace("\"gw-x86-64\"", "\"gw-arm64\""));

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.out()).containsPattern("ok +snapshot").containsPattern("FAIL +targets");
    assertThat(result.err())
        .contains("graft verify: " + targets + " does not verify: ")
        .contains(DOES_NOT_VERIFY_FIX);
  }

  @Test
  void verify_tamperedTimestamp_refusedWithTheDocumentedMessage() throws Exception {
    Path timestamp = repo.resolve("metadata/timestamp.json");
    String text = Files.readString(timestamp);
    Files.writeString(
        timestamp,
        text.replaceFirst("\"expires\": \"[^\"]+\"", "\"expires\": \"2099-01-01T00:00:00Z\""));
    assertThat(Files.readString(timestamp)).isNotEqualTo(text);

    GraftRun.Result result = graft().run("verify", repo.toString(), "--json");

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    JsonObject report =
        JsonParser.withDefaults().parseObject(result.out().getBytes(StandardCharsets.UTF_8));
    assertThat(report.bool("verified")).isFalse();
    JsonObject last = (JsonObject) report.array("checks").values().getLast();
    assertThat(last.string("check")).isEqualTo("timestamp");
    assertThat(last.bool("ok")).isFalse();
    assertThat(result.err())
        .contains(timestamp + " does not verify: ")
        .contains(DOES_NOT_VERIFY_FIX);
  }

  @Test
  void verify_expiredTimestamp_refusedNamingTheRenewal() {
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(3)), ZoneOffset.UTC);

    GraftRun.Result result = graft().clock(later).run("verify", repo.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains(repo.resolve("metadata/timestamp.json") + " has expired")
        .contains("graft repo refresh-timestamp " + repo);
  }

  @Test
  void verify_notARepository_refusedNamingTheDirectory() {
    GraftRun.Result result = graft().run("verify", temp.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err()).contains(temp + " has no metadata/ directory");
  }

  /** Stages root version 2 (a renewal) and signs it with the demo root key, publishing it. */
  private void rotateRoot() {
    GraftRun.Result rotate = DemoRepository.demo().run("repo", "rotate-root", repo.toString());
    assertThat(rotate.exitCode()).as(rotate.toString()).isZero();
    GraftRun.Result sign =
        DemoRepository.demo()
            .run(
                "sign",
                repo.toString(),
                "root",
                "--key",
                repo.resolve("keys/root-1.pem").toString(),
                "--passphrase=env:PASS",
                "--yes");
    assertThat(sign.exitCode()).as(sign.toString()).isZero();
    assertThat(repo.resolve("metadata/2.root.json")).exists();
  }

  @Test
  void verify_afterRootRotation_checksTheWholeChain() {
    rotateRoot();

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .containsPattern(
            "ok +root chain +versions 1–2, each signed by its predecessor's and its own root"
                + " threshold");
  }

  @Test
  void verify_tamperedRotatedRoot_refusedAtTheRootChain() throws Exception {
    rotateRoot();
    Path root2 = repo.resolve("metadata/2.root.json");
    Files.writeString(
        root2,
        Files.readString(root2)
            .replaceFirst("\"expires\": \"[^\"]+\"", "\"expires\": \"2099-01-01T00:00:00Z\""));

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.out())
        .containsPattern("ok +trust anchor")
        .containsPattern("FAIL +root chain");
    assertThat(result.err()).contains(root2 + " does not verify: ").contains(DOES_NOT_VERIFY_FIX);
  }

  @Test
  void verify_classicalRepository_notHeldToTheHybridRule(@TempDir Path other) {
    Path classical = other.resolve("classical");
    GraftRun.Result init =
        DemoRepository.demo()
            .run(
                "repo",
                "init",
                classical.toString(),
                "--classical",
                "--passphrase=env:PASS",
                "--kdf-iterations=10000");
    assertThat(init.exitCode()).as(init.toString()).isZero();

    GraftRun.Result result = graft().run("verify", classical.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .containsPattern("ok +trust anchor +.*signs itself; classical keys")
        .containsPattern("ok +target files +0 of 0");
  }

  @Test
  void verify_missingSnapshot_refusedAtTheSnapshotCheck() throws Exception {
    Files.delete(repo.resolve("metadata/2.snapshot.json"));

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.out()).containsPattern("ok +timestamp").containsPattern("FAIL +snapshot");
    assertThat(result.err()).contains("lacks a metadata file", "2.snapshot.json", "restore it");
  }

  @Test
  void verify_servedCopyWithoutRepositorySettings_skipsTheStagedCheck(@TempDir Path served)
      throws Exception {
    // What a static web server holds: metadata/ and targets/ only.
    for (String part : new String[] {"metadata", "targets"}) {
      Files.createDirectories(served.resolve(part));
      try (Stream<Path> files = Files.list(repo.resolve(part))) {
        for (Path file : files.toList()) {
          Files.copy(file, served.resolve(part).resolve(file.getFileName()));
        }
      }
    }

    GraftRun.Result result =
        graft().run("verify", served.toString(), "--bundle", bundle.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).containsPattern("ok +bundle").doesNotContain("staged");
  }

  @Test
  void verify_tamperedStagedTargets_refusedAtTheStagedCheck() throws Exception {
    Path other = Examples.bundle(temp, "boiler-control-1.1");
    GraftRun.Result add =
        DemoRepository.demo()
            .run("release", "add", repo.toString(), other.toString(), "--hardware", "gw-x86-64");
    assertThat(add.exitCode()).as(add.toString()).isZero();
    Path staged = repo.resolve("staged/targets.json");
    assertThat(staged).exists();
    // A signature that was never made over this content.
    String text = Files.readString(staged);
    Files.writeString(
        staged,
        text.replace(
            "\"signatures\": []",
            "\"signatures\": [{\"keyid\": \"" + "ab".repeat(32) + "\", \"sig\": \"00\"}]"));
    assertThat(Files.readString(staged)).isNotEqualTo(text);

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.out()).containsPattern("ok +target files").containsPattern("FAIL +staged");
    assertThat(result.err()).contains(staged + " does not verify: ");
  }

  @Test
  void verify_nothingPublished_refusedSayingSo(@TempDir Path other) {
    GraftRun.Result result = graft().run("verify", other.toString());
    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err()).contains("has no metadata/ directory");
  }

  @Test
  void verify_tamperedTrustAnchor_refusedAtTheFirstCheck() throws Exception {
    Path anchor = repo.resolve("metadata/1.root.json");
    Files.writeString(
        anchor,
        Files.readString(anchor)
            .replaceFirst("\"expires\": \"[^\"]+\"", "\"expires\": \"2099-01-01T00:00:00Z\""));

    GraftRun.Result result = graft().run("verify", repo.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.out()).containsPattern("FAIL +trust anchor");
    assertThat(result.err()).contains(anchor + " does not verify: ").contains(DOES_NOT_VERIFY_FIX);
  }

  @Test
  void help_teachesByExampleAndNamesExitCodes() {
    GraftRun.Result help = graft().run("verify", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Examples:", "graft verify repo/ --bundle", "Exit codes:");
  }
}
