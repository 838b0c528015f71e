package dev.graft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.transport.testing.MosquittoBroker;
import dev.graft.transport.testing.SampleRepository;
import dev.graft.transport.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with client certificates against a broker that uses the ACL of {@code deploy/mosquitto/acl}
 * with {@code use_identity_as_username}: certificate CNs are the identities.
 */
class TlsAclTest {
  private static final Path DEPLOY_ACL = Path.of("..", "deploy", "mosquitto", "acl");
  private static final Path DEPLOY_CONF = Path.of("..", "deploy", "mosquitto", "mosquitto.conf");
  private static final FetchOptions FAST =
      new FetchOptions(Duration.ofMillis(500), Duration.ofSeconds(10), 4, 2);

  @TempDir static Path pkiDirectory;

  private static TestPki pki;
  private static MosquittoBroker broker;

  @BeforeAll
  static void startBroker() throws IOException {
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

  private static MqttConnection as(String identity) {
    return MqttConnection.open(MqttOptions.of(broker.uri(), pki.client(identity)));
  }

  @Test
  void publisherIdentity_publishesRepository_gatewayReadsItThroughTufClient() {
    SampleRepository repo = SampleRepository.create(KeyType.ED25519);
    byte[] bundle = MqttTransportTest.randomBytes(3 * 1024 + 5, 20);
    repo.addTarget("thermostat-1.0.0.graft", bundle, 1024);
    repo.release();
    try (MqttConnection publisher = as("graft-publisher");
        MqttConnection gateway = as("gw-a")) {
      new Publisher(publisher, Optional.empty()).publish(repo.publishSet(), PublishListener.NONE);

      InMemoryTrustedStore store = new InMemoryTrustedStore();
      TufClient.initialize(store, repo.initialRoot(), false);
      TufClient client =
          TufClient.builder()
              .repository(MqttRepository.imageRepository(gateway, FAST))
              .store(store)
              .requireHybrid(false)
              .build();
      client.refresh();
      TargetFile target = client.requireTarget("thermostat-1.0.0.graft");
      assertThat(client.downloadTarget(target)).isEqualTo(bundle);
    }
  }

  @Test
  void gatewayIdentity_writesOwnTopicsOnly_othersRefusedWithReasonCode0x87() {
    try (MqttConnection gateway = as("gw-a")) {
      int own =
          gateway
              .publish(Topics.gatewayStatus("gw-a"), "{}".getBytes(StandardCharsets.UTF_8), true)
              .await();
      assertThat(own).isIn(ReasonCodes.SUCCESS, ReasonCodes.NO_MATCHING_SUBSCRIBERS);

      assertThatThrownBy(
              () -> gateway.publishAndWait(Topics.gatewayStatus("gw-b"), new byte[] {1}, true))
          .isInstanceOfSatisfying(
              BrokerRefusedException.class, e -> assertThat(e.reasonCode()).isEqualTo(0x87))
          .hasMessageContaining("0x87 \"not authorized\"")
          .hasMessageContaining("graft/v1/gw/gw-b/status");
      assertThatThrownBy(() -> gateway.publishAndWait(Topics.repoTimestamp(), new byte[] {1}, true))
          .isInstanceOf(BrokerRefusedException.class)
          .hasMessageContaining("0x87");
    }
  }

  @Test
  void publisher_forbiddenTopicInPublishSet_pubackFailureStopsPublish() {
    SampleRepository repo = SampleRepository.create(KeyType.ED25519);
    repo.release();
    // A gateway identity running `graft publish` by mistake: the first PUBACK refuses it.
    try (MqttConnection gateway = as("gw-b")) {
      assertThatThrownBy(() ->
              new Publisher(gateway, Optional.empty())
                  .publish(repo.publishSet(), PublishListener.NONE))
          .isInstanceOfSatisfying(
              BrokerRefusedException.class, e -> assertThat(e.reasonCode()).isEqualTo(0x87))
          .hasMessageContaining("graft/v1/repo/metadata/root/1");
    }
  }

  @Test
  void gatewayIdentity_otherGatewaysDirectorTopics_subscriptionRefusedOrSilent() {
    try (MqttConnection rollout = as("graft-rollout");
        MqttConnection gateway = as("gw-a")) {
      rollout.publishAndWait("graft/v1/director/gw-b/timestamp", new byte[] {42}, true);
      rollout.publishAndWait("graft/v1/director/gw-a/timestamp", new byte[] {7}, true);
      assertThat(
              RetainedReader.fetch(
                  gateway, "graft/v1/director/gw-a/timestamp", 100, Duration.ofSeconds(2)))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(7));
      Optional<byte[]> other;
      try {
        other =
            RetainedReader.fetch(
                gateway, "graft/v1/director/gw-b/timestamp", 100, Duration.ofMillis(700));
      } catch (BrokerRefusedException refused) {
        other = Optional.empty();
        assertThat(refused.reasonCode()).isEqualTo(0x87);
      }
      assertThat(other).isEmpty();
    }
  }

  @Test
  void deployConfig_asShipped_startsAndEnforcesItsAcl() throws IOException {
    Path pki = pkiDirectory;
    Files.copy(DEPLOY_ACL, pki.resolve("acl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        pki.resolve("server.pem"),
        pki.resolve("broker.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        pki.resolve("server.key"),
        pki.resolve("broker.key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String config =
        Files.readString(DEPLOY_CONF, StandardCharsets.UTF_8)
            .replace("/etc/mosquitto/graft/", pki.toAbsolutePath() + "/")
            .replace("listener 8883", "listener ${port} 127.0.0.1")
            .replace("/var/lib/mosquitto/", "${dir}/")
            .replace("log_dest syslog", "log_dest file ${dir}/mosquitto.log");
    try (MosquittoBroker deployed = MosquittoBroker.fromConfig(config, true);
        MqttConnection publisher =
            MqttConnection.open(
                MqttOptions.of(deployed.uri(), TlsAclTest.pki.client("graft-publisher")));
        MqttConnection gateway =
            MqttConnection.open(MqttOptions.of(deployed.uri(), TlsAclTest.pki.client("gw-c")))) {
      publisher.publishAndWait(Topics.repoTimestamp(), new byte[] {1}, true);
      assertThat(gateway.publish(Topics.gatewayPresence("gw-c"), new byte[] {1}, true).await())
          .isLessThan(0x80);
      assertThatThrownBy(
              () -> gateway.publishAndWait(Topics.gatewayPresence("gw-a"), new byte[] {1}, true))
          .isInstanceOfSatisfying(
              BrokerRefusedException.class, e -> assertThat(e.reasonCode()).isEqualTo(0x87));
      assertThatThrownBy(
              () -> gateway.publishAndWait(Topics.chunkList("ab".repeat(32)), new byte[] {1}, true))
          .isInstanceOf(BrokerRefusedException.class);
    }
  }

  @Test
  void connect_javaKeyStores_authenticatesAsTheirIdentity() {
    TlsOptions.KeyStores stores = pki.clientKeyStores("gw-k", "changeit".toCharArray());
    assertThat(stores.toString()).doesNotContain("changeit");
    try (MqttConnection gateway = MqttConnection.open(MqttOptions.of(broker.uri(), stores))) {
      assertThat(gateway.publish(Topics.gatewayHealth("gw-k"), new byte[] {1}, false).await())
          .isLessThan(0x80);
      assertThatThrownBy(
              () -> gateway.publishAndWait(Topics.gatewayHealth("gw-a"), new byte[] {1}, false))
          .isInstanceOf(BrokerRefusedException.class)
          .hasMessageContaining("not authorized");
    }
  }

  @Test
  void connect_brokerCertificateForAnotherHost_refused() {
    try (MosquittoBroker impostor =
        MosquittoBroker.start(
            MosquittoBroker.Config.plain().withTls(pki.brokerTlsFor("not-this-host.example")))) {
      MqttOptions options =
          MqttOptions.of(impostor.uri(), pki.client("gw-a"))
              .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
      assertThatThrownBy(() -> MqttConnection.open(options).close())
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("cannot connect")
          .hasMessageContaining("No subject alternative DNS name matching localhost");
    }
  }

  @Test
  void pemOptions_traditionalOrEncryptedKey_refusedWithTheFix() throws IOException {
    Path sec1 = pkiDirectory.resolve("sec1.key");
    Files.writeString(sec1, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    Path encrypted = pkiDirectory.resolve("encrypted.key");
    Files.writeString(
        encrypted,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    Path ca = pkiDirectory.resolve("ca.pem");
    Path cert = pkiDirectory.resolve("server.pem");
    assertThatThrownBy(() -> TlsContexts.socketFactory(new TlsOptions.Pem(ca, cert, sec1)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    assertThatThrownBy(() -> TlsContexts.socketFactory(new TlsOptions.Pem(ca, cert, encrypted)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("is encrypted");
    assertThatThrownBy(() -> TlsContexts.socketFactory(new TlsOptions.Pem(ca, cert, ca)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("no PEM PKCS#8 private key");
  }

  @Test
  void connect_withoutClientCertificate_refused() {
    MqttOptions noClientCert =
        MqttOptions.of(broker.uri(), new TlsOptions.CaOnly(pkiDirectory.resolve("ca.pem")))
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
    assertThatThrownBy(() -> MqttConnection.open(noClientCert).close())
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("cannot connect");
  }
}
