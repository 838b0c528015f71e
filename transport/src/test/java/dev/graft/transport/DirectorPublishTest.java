package dev.graft.transport;

import static dev.graft.transport.MqttTransportTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.transport.testing.MosquittoBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Director metadata published to the director topics, in the order a reader needs. */
class DirectorPublishTest {
  private static final FetchOptions FAST =
      new FetchOptions(Duration.ofMillis(500), Duration.ofSeconds(10), 4, 2);

  private static MosquittoBroker broker;
  private static MqttConnection connection;

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.start();
    connection = MqttConnection.open(MqttOptions.of(broker.uri()));
  }

  @AfterAll
  static void stopBroker() {
    if (connection != null) {
      connection.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private static PublishSet.MetadataFile file(String role, long version) {
    OptionalLong v = version < 0 ? OptionalLong.empty() : OptionalLong.of(version);
    return new PublishSet.MetadataFile(
        role, v, (role + "@" + version).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void publishDirector_rootsFirstTimestampLast_readableThroughTheDirectorRepository()
      throws Exception {
    List<String> arrived = new CopyOnWriteArrayList<>();
    try (MqttConnection observer = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      observer.subscribe(
          "graft/v1/director/#",
          (topic, payload, retained) -> {
            if (!retained) {
              arrived.add(topic);
            }
          });
      PublishReport report =
          new Publisher(connection, Optional.empty())
              .publishDirector(
                  "gw-7",
                  List.of(
                      file("timestamp", -1),
                      file("snapshot", 3),
                      file("grants", 3),
                      file("root", 2),
                      file("targets", 3),
                      file("root", 1)),
                  PublishListener.NONE);
      assertThat(report.sent()).isEqualTo(7);
      waitFor(() -> arrived.size() >= 7);
    }

    assertThat(arrived)
        .containsExactly(
            "graft/v1/director/root/1",
            "graft/v1/director/root/2",
            "graft/v1/director/root/latest",
            "graft/v1/director/gw-7/grants/3",
            "graft/v1/director/gw-7/targets/3",
            "graft/v1/director/gw-7/snapshot/3",
            "graft/v1/director/gw-7/timestamp");
    MqttRepository director = MqttRepository.director(connection, "gw-7", FAST);
    assertThat(director.fetchMetadata("timestamp", OptionalLong.empty(), 1024))
        .hasValueSatisfying(
            b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("timestamp@-1"));
    assertThat(director.fetchMetadata("grants", OptionalLong.of(3), 1024)).isPresent();
    assertThat(director.fetchMetadata("root", OptionalLong.of(2), 1024)).isPresent();
    // the hint ends the root walk: version 3 is missing at once
    assertThat(director.fetchMetadata("root", OptionalLong.of(3), 1024)).isEmpty();
  }

  @Test
  void publishDirector_gatewayIdThatWouldAddATopicLevel_refusedBeforeAnythingIsSent() {
    Publisher publisher = new Publisher(connection, Optional.empty());

    assertThatThrownBy(() ->
            publisher.publishDirector("gw/+", List.of(file("timestamp", -1)), PublishListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gateway id 'gw/+'");
  }

  @Test
  void publishDirector_twoTimestamps_refused() {
    Publisher publisher = new Publisher(connection, Optional.empty());

    assertThatThrownBy(() ->
            publisher.publishDirector(
                "gw-8",
                List.of(file("timestamp", -1), file("timestamp", -1)),
                PublishListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two timestamp files");
  }
}
