package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.pkcs11.SoftHsmToken;
import dev.graft.signer.ExitCode;
import dev.graft.signer.GraftRun;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.Topics;
import dev.graft.transport.testing.MosquittoBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release path of issue 7 end to end, as release engineers run it, every step a {@code graft}
 * command: composite keys generated on SoftHSM2 tokens ({@code key generate}: root on its own
 * token, targets 2 of 3 on three holders' own tokens with their own PINs), {@code repo init}, a
 * bundle built from the {@code thermostat} example module ({@code bundle build}), {@code release
 * add}, two holders sign, {@code verify}, {@code graft publish} to a real Mosquitto — and a new
 * gateway reads everything back over MQTT through the trust core and gets the same bundle bytes.
 */
class PublishEndToEndTest {
  @RegisterExtension static final SoftHsmToken ROOT_TOKEN = new SoftHsmToken("graft-root");

  private static final List<String> HOLDERS = List.of("alice", "bob", "carol");

  @TempDir static Path keys;

  private static MosquittoBroker broker;

  @TempDir Path temp;

  @BeforeAll
  static void tokensAndBroker() throws Exception {
    // Each targets key holder has a token of their own with their own PIN.
    for (String holder : HOLDERS) {
      SoftHsmToken.ToolRun init =
          ROOT_TOKEN.run(
              "softhsm2-util",
              "--init-token",
              "--free",
              "--label",
              holder,
              "--so-pin",
              "so-" + pin(holder),
              "--pin",
              pin(holder));
      assertThat(init.exitCode()).as(init.output()).isZero();
    }
    // Every key is made with `graft key generate` on its holder's token; only public key files
    // leave the tokens.
    generateOnToken(ROOT_TOKEN.label(), "root-1", ROOT_TOKEN.userPinText());
    for (String holder : HOLDERS) {
      generateOnToken(holder, "targets", pin(holder));
    }
    broker = MosquittoBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static void generateOnToken(String token, String object, String pin) {
    Path pub = keys.resolve(token + "-" + object + ".pub.json");
    GraftRun.Result generate =
        graft()
            .env("KEY_PIN", pin)
            .run(
                "key",
                "generate",
                "--token",
                uri(token, object, "KEY_PIN").replace(";type=private", ""),
                "--pub",
                pub.toString());
    assertThat(generate.exitCode()).as(generate.toString()).isZero();
    assertThat(generate.out()).doesNotContain(pin);
  }

  private static String pin(String holder) {
    return holder + "-pin-2718";
  }

  private static String uri(String token, String object, String pinVariable) {
    return "pkcs11:token="
        + token
        + ";object="
        + object
        + ";type=private?module-path="
        + ROOT_TOKEN.modulePath()
        + "&pin-source=env:"
        + pinVariable;
  }

  /** One holder at their own machine: their PIN in their environment, and the online passphrase. */
  private static GraftRun holder(String name) {
    return graft()
        .env("PIN", pin(name))
        .env("GRAFT_ONLINE_PASSPHRASE", "online secret")
        .env("PASS", "online secret");
  }

  @Test
  void tokenKeys_twoOfThreeTargets_publishToMosquitto_gatewayReadsTheBundleBack() throws Exception {
    Path repo = temp.resolve("repo");
    GraftRun.Result init =
        graft()
            .env("ROOT_PIN", ROOT_TOKEN.userPinText())
            .env("PASS", "online secret")
            .run(
                "repo",
                "init",
                repo.toString(),
                "--passphrase=env:PASS",
                "--kdf-iterations=10000",
                "--root-key",
                uri(ROOT_TOKEN.label(), "root-1", "ROOT_PIN"),
                "--targets-key",
                keys.resolve("alice-targets.pub.json").toString(),
                "--targets-key",
                keys.resolve("bob-targets.pub.json").toString(),
                "--targets-key",
                keys.resolve("carol-targets.pub.json").toString(),
                "--targets-threshold",
                "2");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(init.out()).contains("targets: 2 of 3 key(s)");

    Path wasm = Path.of(System.getProperty("graft.examples.wasm", "../examples/target/wasm"));
    Path bundle = temp.resolve("thermostat-1.0.0.graft");
    GraftRun.Result build =
        holder("alice")
            .run(
                "bundle",
                "build",
                "--wasm",
                wasm.resolve("thermostat.wasm").toString(),
                "--manifest",
                wasm.resolve("thermostat.manifest.json").toString(),
                "--out",
                bundle.toString());
    assertThat(build.exitCode()).as(build.toString()).isZero();
    GraftRun.Result add =
        holder("alice")
            .run("release", "add", repo.toString(), bundle.toString(), "--hardware", "gw-x86-64");
    assertThat(add.exitCode()).as(add.toString()).isZero();

    GraftRun.Result alice =
        holder("alice")
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                uri("alice", "targets", "PIN"),
                "--yes");
    assertThat(alice.exitCode()).as(alice.toString()).isZero();
    assertThat(alice.out()).contains("1 of 2 required signatures");

    // One signature of two: nothing may reach the broker yet.
    GraftRun.Result early =
        holder("alice").run("publish", repo.toString(), "--broker", broker.uri().toString());
    assertThat(early.exitCode()).as(early.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(early.err()).contains("nothing to publish").contains("1 of 2 required signatures");

    GraftRun.Result carol =
        holder("carol")
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                uri("carol", "targets", "PIN"),
                "--yes");
    assertThat(carol.exitCode()).as(carol.toString()).isZero();
    assertThat(carol.out()).contains("Published metadata/1.targets.json");

    // Before anything goes out: the repository and the bundle verify as a gateway checks them.
    GraftRun.Result verify =
        holder("bob").run("verify", repo.toString(), "--bundle", bundle.toString());
    assertThat(verify.exitCode()).as(verify.toString()).isZero();

    GraftRun.Result publish =
        holder("bob")
            .run("publish", repo.toString(), "--broker", broker.uri().toString(), "--json");
    assertThat(publish.exitCode()).as(publish.toString()).isZero();
    assertThat(PublishFixtures.json(publish).object("metadata").integer("targets")).isEqualTo(1);

    try (MqttConnection gateway = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      assertThat(PublishFixtures.retained(gateway))
          .containsKeys(
              Topics.repoRoot(1),
              Topics.repoRootLatest(),
              Topics.repoTimestamp(),
              Topics.chunkList(PublishFixtures.sha256(bundle)));
      byte[] received =
          PublishFixtures.readBack(gateway, repo, "thermostat-1.0.0.graft", true, temp);
      assertThat(received).isEqualTo(Files.readAllBytes(bundle));
    }
  }
}
