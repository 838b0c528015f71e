package dev.graft.signer.cli;

import static dev.graft.signer.cli.PublishFixtures.demo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.signer.ExitCode;
import dev.graft.signer.GraftRun;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.TlsOptions;
import dev.graft.transport.testing.MosquittoBroker;
import dev.graft.transport.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft publish} over TLS with client certificates to a Mosquitto that enforces the ACL of
 * {@code deploy/mosquitto/acl} ({@code use_identity_as_username}: the certificate's CN is the
 * identity): the publisher's certificate may write the repository topics, a gateway's may not.
 */
class PublishTlsTest {
  private static final Path DEPLOY_ACL = Path.of("..", "deploy", "mosquitto", "acl");

  @TempDir static Path pkiDirectory;

  private static TestPki pki;
  private static MosquittoBroker broker;

  @TempDir Path temp;

  @BeforeAll
  static void startBroker() throws Exception {
    pki = TestPki.create(pkiDirectory);
    broker =
        MosquittoBroker.start(
            MosquittoBroker.Config.plain()
                .withTls(pki.brokerTls())
                .withAcl(Files.readString(DEPLOY_ACL, StandardCharsets.UTF_8)));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private GraftRun.Result publishAs(String identity) {
    TlsOptions.Pem client = pki.client(identity);
    return demo()
        .run(
            "publish",
            temp.resolve("repo").toString(),
            "--broker",
            broker.uri().toString(),
            "--tls-ca",
            client.caCertificates().toString(),
            "--tls-cert",
            client.clientCertificate().toString(),
            "--tls-key",
            client.clientKey().toString());
  }

  @Test
  void publish_publisherCertificate_gatewayCertificateReadsItBack() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "boiler-control", "1.0.0", 9_000, 21);
    Path repo = PublishFixtures.publishedRepository(temp, "2048", bundle);

    GraftRun.Result result = publishAs("graft-publisher");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("Published " + repo + " to " + broker.uri());
    try (MqttConnection gateway =
        MqttConnection.open(MqttOptions.of(broker.uri(), pki.client("gw-a")))) {
      assertThat(PublishFixtures.readBack(gateway, repo, "boiler-control-1.0.0.graft", true, temp))
          .isEqualTo(Files.readAllBytes(bundle));
    }
  }

  @Test
  void publish_javaKeyStores_passwordsFromTheirSources_publishAndNeverPrintThem() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 24);
    Path repo = PublishFixtures.publishedRepository(temp, "1024", bundle);
    TlsOptions.KeyStores stores =
        pki.clientKeyStores("graft-publisher", "store-s3cret".toCharArray());

    GraftRun.Result result =
        demo()
            .env("STORE_PASSWORD", "store-s3cret")
            .run(
                "publish",
                repo.toString(),
                "--broker",
                broker.uri().toString(),
                "--tls-truststore",
                stores.trustStore().toString(),
                "--tls-keystore",
                stores.keyStore().toString(),
                "--tls-keystore-password",
                "env:STORE_PASSWORD");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.toString()).doesNotContain("store-s3cret");
    try (MqttConnection gateway =
        MqttConnection.open(MqttOptions.of(broker.uri(), pki.client("gw-a")))) {
      assertThat(PublishFixtures.readBack(gateway, repo, "thermo-1.0.0.graft", true, temp))
          .isEqualTo(Files.readAllBytes(bundle));
    }
  }

  @Test
  void publish_pemAndKeyStoresTogether_usageError() {
    GraftRun.Result result =
        demo()
            .run(
                "publish",
                temp.toString(),
                "--broker",
                broker.uri().toString(),
                "--tls-ca",
                "ca.pem",
                "--tls-keystore",
                "client.p12");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err()).contains("not both");
  }

  @Test
  void publish_gatewayCertificate_refusedByTheAclNamingTopicReasonAndFix() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 22);
    PublishFixtures.publishedRepository(temp, "1024", bundle);

    GraftRun.Result result = publishAs("gw-b");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains("graft publish: publishing stopped")
        .contains("the broker refused a publish to graft/v1/repo/metadata/root/1")
        .contains("0x87 \"not authorized\"")
        .contains("the broker's ACL does not let this identity use that topic")
        .contains("deploy/mosquitto/acl")
        .contains("gateways still see the previous release");
  }

  @Test
  void publish_unknownCertificateAuthority_refusedBeforeAnythingIsSent() throws Exception {
    Path bundle = PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3_000, 23);
    PublishFixtures.publishedRepository(temp, "1024", bundle);
    TestPki other = TestPki.create(Files.createDirectories(temp.resolve("other-pki")));
    TlsOptions.Pem client = other.client("graft-publisher");

    GraftRun.Result result =
        demo()
            .run(
                "publish",
                temp.resolve("repo").toString(),
                "--broker",
                broker.uri().toString(),
                "--tls-ca",
                client.caCertificates().toString(),
                "--tls-cert",
                client.clientCertificate().toString(),
                "--tls-key",
                client.clientKey().toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err()).contains("cannot connect to " + broker.uri());
  }
}
