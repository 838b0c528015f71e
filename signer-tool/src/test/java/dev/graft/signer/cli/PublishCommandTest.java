package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static dev.graft.signer.cli.PublishFixtures.demo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.signer.CliContext;
import dev.graft.signer.ExitCode;
import dev.graft.signer.Graft;
import dev.graft.signer.GraftRun;
import dev.graft.signer.Terminal;
import dev.graft.signer.repo.ImageRepository;
import dev.graft.signer.repo.Staging;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttLogin;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.Topics;
import dev.graft.transport.testing.MosquittoBroker;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft publish} against a real Mosquitto on a free loopback port: what it publishes is read
 * back through the trust core; what it must refuse leaves the broker without a retained message.
 */
class PublishCommandTest {
  @TempDir Path temp;

  private MosquittoBroker broker = MosquittoBroker.start();

  @AfterEach
  void stopBroker() {
    broker.close();
  }

  private MqttConnection reader() {
    return MqttConnection.open(MqttOptions.of(broker.uri()));
  }

  private GraftRun.Result publish(String... extra) {
    return publish(demo(), extra);
  }

  private GraftRun.Result publish(GraftRun run, String... extra) {
    String[] args = new String[extra.length + 4];
    args[0] = "publish";
    args[1] = temp.resolve("repo").toString();
    args[2] = "--broker";
    args[3] = broker.uri().toString();
    System.arraycopy(extra, 0, args, 4, extra.length);
    return run.run(args);
  }

  @Test
  void publish_signedRelease_gatewayReadsTheSameBytesBackThroughTheTrustCore() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "boiler-control", "1.4.0", 20_000, 1);
    Path repo = PublishFixtures.publishedRepository(temp, "4096", bundle);

    GraftRun.Result result = publish();

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("Published " + repo + " to " + broker.uri())
        .contains("metadata: root 1, targets 2, snapshot 2, timestamp 2")
        .contains(
            "boiler-control-1.4.0.graft  sha256 "
                + PublishFixtures.sha256(bundle).substring(0, 12));
    assertThat(result.err()).as("quiet when not on a terminal").isEmpty();
    try (MqttConnection reader = reader()) {
      assertThat(PublishFixtures.readBack(reader, repo, "boiler-control-1.4.0.graft", true, temp))
          .isEqualTo(Files.readAllBytes(bundle));
    }
  }

  @Test
  void publish_json_summarisesWhatWasSent() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "2.0.0", 10_000, 2);
    PublishFixtures.publishedRepository(temp, "1024", bundle);

    GraftRun.Result result = publish("--json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonObject json = PublishFixtures.json(result);
    JsonObject target = ((JsonObject) json.array("targets").values().getFirst());
    long chunks = target.integer("chunks");
    assertThat(target.string("sha256")).isEqualTo(PublishFixtures.sha256(bundle));
    assertThat(chunks).isEqualTo((Files.size(bundle) + 1023) / 1024);
    // root 1, root/latest, the chunks, the chunk list, targets, snapshot, timestamp
    assertThat(json.integer("sent")).isEqualTo(chunks + 6);
    assertThat(json.integer("skipped")).isZero();
    assertThat(json.string("broker")).isEqualTo(broker.uri().toString());
    assertThat(json.object("metadata").integer("timestamp")).isEqualTo(2);
  }

  @Test
  void publish_brokerRefusesMidway_namesTopicAndReason_rerunSendsOnlyTheRest() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "boiler-control", "1.5.0", 12_000, 3);
    Path repo = PublishFixtures.publishedRepository(temp, "1024", bundle);
    String sha = PublishFixtures.sha256(bundle);
    broker.close();
    // The broker's ACL lets anonymous clients write metadata and only chunks 0..4 of the bundle:
    // the publish stops at chunk 5 with the broker's refusal, as after an ACL mistake.
    StringBuilder acl =
        new StringBuilder("topic read graft/v1/#\ntopic write graft/v1/repo/metadata/#\n");
    for (int i = 0; i < 5; i++) {
      acl.append("topic write ").append(Topics.chunk(sha, i)).append('\n');
    }
    broker = MosquittoBroker.start(MosquittoBroker.Config.plain().withAcl(acl.toString()));

    GraftRun.Result first = publish();

    assertThat(first.exitCode()).as(first.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(first.err())
        .contains("the broker refused a publish to " + Topics.chunk(sha, 5))
        .contains("0x87 \"not authorized\"")
        .contains("deploy/mosquitto/acl")
        .contains("running the same command again sends only the rest");
    try (MqttConnection reader = reader()) {
      Map<String, byte[]> retained = PublishFixtures.retained(reader);
      assertThat(retained)
          .containsKey(Topics.chunk(sha, 4))
          .doesNotContainKey(Topics.repoTimestamp());
    }

    // The operator fixes the ACL; the broker restarts with its retained messages.
    Files.writeString(broker.directory().resolve("acl"), "topic readwrite graft/v1/#\n");
    broker.restart();
    GraftRun.Result second = publish("--json");

    assertThat(second.exitCode()).as(second.toString()).isZero();
    JsonObject json = PublishFixtures.json(second);
    long chunks = ((JsonObject) json.array("targets").values().getFirst()).integer("chunks");
    assertThat(json.integer("skipped")).isEqualTo(5);
    assertThat(json.integer("sent")).isEqualTo(chunks + 6 - 5);
    try (MqttConnection reader = reader()) {
      assertThat(PublishFixtures.readBack(reader, repo, "boiler-control-1.5.0.graft", true, temp))
          .isEqualTo(Files.readAllBytes(bundle));
    }

    // Once everything is acknowledged, a third run re-sends only the (small) metadata.
    JsonObject third = PublishFixtures.json(publish("--json"));
    assertThat(third.integer("skipped")).isEqualTo(chunks + 1);
    assertThat(third.integer("sent")).isEqualTo(5);
    // --no-resume forgets the journal: everything again.
    JsonObject fresh = PublishFixtures.json(publish("--json", "--no-resume"));
    assertThat(fresh.integer("skipped")).isZero();
    assertThat(fresh.integer("sent")).isEqualTo(chunks + 6);
  }

  @Test
  void publish_targetsBelowThreshold_refusedWithTheSigningStep_nothingRetained() throws Exception {
    Path holders = temp.resolve("holders");
    for (String name : new String[] {"alice", "bob", "carol"}) {
      Fixtures.keyFiles(holders, name, KeyType.MLDSA65_ED25519, name + " secret");
    }
    Path repo = temp.resolve("repo");
    GraftRun.Result init =
        demo()
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
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 4);
    assertThat(
            demo()
                .run("release", "add", repo.toString(), bundle.toString(), "--hardware", "gw-1")
                .exitCode())
        .isZero();
    GraftRun.Result alice =
        graft()
            .env("PASS", "alice secret")
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                holders.resolve("alice.pem").toString(),
                "--passphrase=env:PASS",
                "--yes");
    assertThat(alice.exitCode()).as(alice.toString()).isZero();

    GraftRun.Result result = publish();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains("graft publish: nothing to publish")
        .contains("staged targets version 1 has 1 of 2 required signatures")
        .contains("run `graft sign " + repo + " targets --key …`");
    try (MqttConnection reader = reader()) {
      assertThat(PublishFixtures.retained(reader)).isEmpty();
    }
  }

  @Test
  void publish_stagedVersionStillCollectingSignatures_publishesThePreviousOneAndSaysSo()
      throws Exception {
    Path first = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 5);
    Path repo = PublishFixtures.publishedRepository(temp, "1024", first);
    Path second = PublishFixtures.bundleWithData(temp, "thermo", "1.1.0", 3_000, 6);
    assertThat(
            demo()
                .run("release", "add", repo.toString(), second.toString(), "--hardware", "gw-1")
                .exitCode())
        .isZero();

    GraftRun.Result result = publish();

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("targets 2")
        .contains("Not published: staged targets version 3 has 0 of 1 required signatures");
    try (MqttConnection reader = reader()) {
      assertThat(PublishFixtures.retained(reader))
          .containsKey(Topics.chunkList(PublishFixtures.sha256(first)))
          .doesNotContainKey(Topics.chunkList(PublishFixtures.sha256(second)));
    }
  }

  @Test
  void publish_expiredTimestamp_refusedWithRefreshStep_thenPublishesAfterRefresh()
      throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 7);
    Path repo = PublishFixtures.publishedRepository(temp, "1024", bundle);
    Clock twoDaysLater = Clock.offset(Clock.systemUTC(), Duration.ofDays(2));

    GraftRun.Result refused = publish(demo().clock(twoDaysLater));

    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(refused.err())
        .contains("refusing to publish expired metadata")
        .contains("timestamp version 2 expired at")
        .contains("run `graft repo refresh-timestamp " + repo + "`");
    try (MqttConnection reader = reader()) {
      assertThat(PublishFixtures.retained(reader)).isEmpty();
    }

    GraftRun.Result refresh =
        demo().clock(twoDaysLater).run("repo", "refresh-timestamp", repo.toString());
    assertThat(refresh.exitCode()).as(refresh.toString()).isZero();
    GraftRun.Result published = publish(demo().clock(twoDaysLater));
    assertThat(published.exitCode()).as(published.toString()).isZero();
    assertThat(published.out()).contains("timestamp 3");
  }

  @Test
  void publish_tamperedTargetFile_refusedWithTheDocumentedMessage_nothingRetained()
      throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 8);
    Path repo = PublishFixtures.publishedRepository(temp, "1024", bundle);
    Path stored = repo.resolve("targets/" + PublishFixtures.sha256(bundle) + ".thermo-1.0.0.graft");
    byte[] bytes = Files.readAllBytes(stored);
    bytes[bytes.length - 10] ^= 1;
    Files.write(stored, bytes);

    GraftRun.Result result = publish();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains(stored + " does not verify: it does not match target thermo-1.0.0.graft")
        .contains("do not sign or publish until it verifies");
    try (MqttConnection reader = reader()) {
      assertThat(PublishFixtures.retained(reader)).isEmpty();
    }
  }

  @Test
  void publish_tamperedMetadata_refused_nothingRetained() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 9);
    Path repo = PublishFixtures.publishedRepository(temp, "1024", bundle);
    Path targets = repo.resolve("metadata/2.targets.json");
    Files.writeString(targets, Files.readString(targets).replace("\"gw-x86-64\"", "\"gw-arm64\""));

    GraftRun.Result result = publish();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err()).contains(targets + " does not verify");
    try (MqttConnection reader = reader()) {
      assertThat(PublishFixtures.retained(reader)).isEmpty();
    }
  }

  @Test
  void publish_prune_clearsRetainedChunksOfTargetsNoLongerListed() throws Exception {
    Path old = PublishFixtures.bundleWithData(temp, "old", "1.0.0", 5_000, 10);
    Path kept = PublishFixtures.bundleWithData(temp, "kept", "1.0.0", 5_000, 11);
    Path repo = PublishFixtures.publishedRepository(temp, "1024", old, kept);
    assertThat(publish().exitCode()).isZero();
    // A targets version without "old" (the library call a `release remove` would make).
    ImageRepository repository = ImageRepository.open(repo, Clock.systemUTC());
    Map<String, TargetFile> next = new LinkedHashMap<>(repository.currentTargets());
    next.remove("old-1.0.0.graft");
    new Staging(repository).stageTargets(next, Map.of());
    PublishFixtures.signTargets(repo);
    String oldSha = PublishFixtures.sha256(old);
    String keptSha = PublishFixtures.sha256(kept);

    GraftRun.Result result = publish("--prune", "--json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonObject pruned = PublishFixtures.json(result).object("pruned");
    assertThat(pruned.array("targets").values()).hasSize(1);
    assertThat(pruned.array("targets").values().getFirst().toString()).contains(oldSha);
    assertThat(pruned.integer("cleared_topics")).isEqualTo((Files.size(old) + 1023) / 1024 + 1);
    try (MqttConnection reader = reader()) {
      Map<String, byte[]> retained = PublishFixtures.retained(reader);
      assertThat(retained.keySet()).noneMatch(t -> t.contains(oldSha));
      assertThat(retained).containsKey(Topics.chunkList(keptSha));
      assertThat(PublishFixtures.readBack(reader, repo, "kept-1.0.0.graft", true, temp))
          .isEqualTo(Files.readAllBytes(kept));
    }
    // Human-readable form, and nothing left to prune the second time.
    GraftRun.Result again = publish("--prune");
    assertThat(again.out()).contains("Pruned nothing");
  }

  @Test
  void publish_brokerWithPasswords_readsThePasswordFromItsSourceAndNeverPrintsIt()
      throws Exception {
    Path passwords = temp.resolve("passwd");
    Process tool =
        new ProcessBuilder(
                "mosquitto_passwd", "-c", "-b", passwords.toString(), "publisher", "broker-s3cret")
            .redirectErrorStream(true)
            .start();
    assertThat(tool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(tool.exitValue()).isZero();
    broker.close();
    broker =
        MosquittoBroker.start(
            MosquittoBroker.Config.plain()
                .withLines("allow_anonymous false", "password_file " + passwords));
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 12);
    Path repo = PublishFixtures.publishedRepository(temp, "1024", bundle);

    GraftRun.Result wrong =
        publish(
            demo().env("BROKER_PASSWORD", "not-the-password"),
            "--username",
            "publisher",
            "--password",
            "env:BROKER_PASSWORD");
    assertThat(wrong.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(wrong.err())
        .contains("cannot connect to " + broker.uri())
        .doesNotContain("not-the-password");

    GraftRun.Result right =
        publish(
            demo().env("BROKER_PASSWORD", "broker-s3cret"),
            "--username",
            "publisher",
            "--password",
            "env:BROKER_PASSWORD");
    assertThat(right.exitCode()).as(right.toString()).isZero();
    assertThat(right.toString()).doesNotContain("broker-s3cret");
    MqttOptions asPublisher =
        MqttOptions.of(broker.uri())
            .withLogin(new MqttLogin("publisher", "broker-s3cret".toCharArray()));
    try (MqttConnection reader = MqttConnection.open(asPublisher)) {
      assertThat(PublishFixtures.readBack(reader, repo, "thermo-1.0.0.graft", true, temp))
          .isEqualTo(Files.readAllBytes(bundle));
    }
  }

  @Test
  void publish_passwordInTheBrokerUri_refusedWithoutEchoingIt() {
    GraftRun.Result result =
        graft().run("publish", temp.toString(), "--broker", "mqtt://user:hunter2@127.0.0.1:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err()).contains("--username and --password").doesNotContain("hunter2");
  }

  @Test
  void publish_tlsBrokerWithoutCa_usageErrorNamingTheOption() {
    GraftRun.Result result =
        graft().run("publish", temp.toString(), "--broker", "mqtts://127.0.0.1:8883");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err()).contains("--tls-ca FILE");
  }

  @Test
  void publish_onATerminal_drawsProgressWithThroughputOnStandardError() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 30_000, 13);
    PublishFixtures.publishedRepository(temp, "1024", bundle);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Terminal terminal =
        new Terminal.Streams(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            new ByteArrayInputStream(new byte[0]),
            true,
            prompt -> Optional.empty());

    int code =
        Graft.run(
            new CliContext(terminal, Map.of(), Clock.systemUTC()),
            "publish",
            temp.resolve("repo").toString(),
            "--broker",
            broker.uri().toString());

    assertThat(code).as(err.toString()).isZero();
    String progress = err.toString();
    assertThat(progress)
        .startsWith("\rpublishing [")
        .contains("100%")
        .contains("/s")
        .endsWith("\n");
    assertThat(progress).contains("messages");
    assertThat(out.toString()).contains("Published").doesNotContain("\r");
  }
}
