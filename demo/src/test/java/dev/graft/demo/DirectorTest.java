package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.WrongGatewayException;
import dev.graft.bundle.director.Grants;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.transport.FetchOptions;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.MqttRepository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Director metadata as a gateway's TUF client reads it from a real mosquitto. */
class DirectorTest {
  @TempDir static Path temp;
  private static LocalBroker broker;
  private static MqttConnection connection;

  private static final byte[] BUNDLE = "bundle bytes".getBytes(StandardCharsets.UTF_8);
  private static final byte[] GRANT = "devices: {}\n".getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void startBroker() {
    broker = LocalBroker.start(temp.resolve("broker"));
    connection = MqttConnection.open(MqttOptions.of(broker.uri()));
  }

  @AfterAll
  static void stopBroker() {
    connection.close();
    broker.close();
  }

  private static TargetFile bundleTarget() {
    return TargetFile.of(
        "boiler-control-1.0.0.graft",
        BUNDLE.length,
        Director.hashes(BUNDLE),
        Optional.of(JsonObject.empty()));
  }

  private static TufClient client(Director director, String gatewayId) {
    InMemoryTrustedStore store = new InMemoryTrustedStore();
    TufClient.initialize(store, director.rootAnchor(), true);
    return TufClient.builder()
        .repository(MqttRepository.director(connection, director.gatewayId(), FetchOptions.DEFAULT))
        .store(store)
        .gatewayId(gatewayId)
        .pin(Grants.siteKeysFromFiles(List.of(director.siteKeyAnchor()), 1))
        .build();
  }

  @Test
  void assignAndPublish_gatewayReadsItsBundleAndTheSiteSignedGrant() {
    Director director = new Director("gw-test-1");
    director.assignAndPublish(connection, bundleTarget(), GRANT, "r1");
    director.assignAndPublish(connection, bundleTarget(), GRANT, "r2");

    TufClient client = client(director, "gw-test-1");
    client.refresh();

    assertThat(client.topLevelTargets().version()).isEqualTo(2);
    TargetFile named = client.topLevelTargets().targets().get("boiler-control-1.0.0.graft");
    assertThat(named).isNotNull();
    assertThat(named.hashes()).isEqualTo(bundleTarget().hashes());
    assertThat(named.custom().orElseThrow().object("graft").string("rollout")).isEqualTo("r2");
    Grants.require(client, "gw-test-1", GRANT); // throws if the signed hashes differ
    assertThat(client.targetsRoles()).containsKey(Director.GRANTS_ROLE);
  }

  @Test
  void signedFor_anotherGateway_refusedBeforeItIsStored() {
    Director director = new Director("gw-test-2");
    director.assignAndPublish(connection, bundleTarget(), GRANT, "r1");
    Director.Published forOther = director.signedFor("gw-elsewhere", bundleTarget(), GRANT);
    director.publish(connection, forOther);

    TufClient client = client(director, "gw-test-2");

    assertThatThrownBy(client::refresh)
        .isInstanceOf(WrongGatewayException.class)
        .hasMessageContaining("'gw-elsewhere'")
        .hasMessageContaining("'gw-test-2'");
  }
}
