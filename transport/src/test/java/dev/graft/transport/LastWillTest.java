package dev.graft.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.transport.testing.MosquittoBroker;
import dev.graft.transport.testing.TcpProxy;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Last Will against a real Mosquitto: a lost connection (a {@link TcpProxy} cut, so no
 * DISCONNECT reaches the broker) publishes it; a clean {@link MqttConnection#close()} sends a
 * normal DISCONNECT, which discards it.
 */
class LastWillTest {
  private static MosquittoBroker broker;

  /** One received message: what a gateway's watcher would see. */
  private record Received(String payload, boolean retained) {}

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void open_connectionLostAbruptly_brokerPublishesTheRetainedWill() throws Exception {
    String topic = presenceTopic();
    try (MqttConnection watcher = MqttConnection.open(MqttOptions.of(broker.uri()));
        TcpProxy proxy = TcpProxy.to(broker.port())) {
      BlockingQueue<Received> live = watch(watcher, topic);
      MqttConnection gateway =
          MqttConnection.open(
              MqttOptions.of(proxy.uri()).withWill(topic, "offline".getBytes(UTF_8), true));
      try {
        gateway.publishAndWait(topic, "online".getBytes(UTF_8), true);
        assertThat(live.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received("online", false));

        proxy.cut();

        assertThat(live.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received("offline", false));
      } finally {
        gateway.close();
      }
      // The will replaced the retained "online": a reader that comes later sees "offline".
      try (MqttConnection later = MqttConnection.open(MqttOptions.of(broker.uri()))) {
        BlockingQueue<Received> retained = watch(later, topic);
        assertThat(retained.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received("offline", true));
      }
    }
  }

  @Test
  void close_cleanDisconnect_willIsNotPublished() throws Exception {
    String topic = presenceTopic();
    try (MqttConnection watcher = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      BlockingQueue<Received> live = watch(watcher, topic);
      MqttConnection gateway =
          MqttConnection.open(
              MqttOptions.of(broker.uri()).withWill(topic, "offline".getBytes(UTF_8), true));
      gateway.publishAndWait(topic, "online".getBytes(UTF_8), true);
      assertThat(live.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received("online", false));

      gateway.close();

      // A will would follow the DISCONNECT at once; give the broker time, then send a marker
      // that must be the next message.
      Thread.sleep(500);
      watcher.publishAndWait(topic, "marker".getBytes(UTF_8), false);
      assertThat(live.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received("marker", false));
      assertThat(live).isEmpty();
      // And the retained message is still "online" (the marker was not retained).
      try (MqttConnection later = MqttConnection.open(MqttOptions.of(broker.uri()))) {
        BlockingQueue<Received> retained = watch(later, topic);
        assertThat(retained.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received("online", true));
      }
    }
  }

  private static BlockingQueue<Received> watch(MqttConnection connection, String topic) {
    BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    connection.subscribe(
        topic,
        (t, payload, retained) -> received.add(new Received(new String(payload, UTF_8), retained)));
    return received;
  }

  private static String presenceTopic() {
    return Topics.gatewayPresence("gw-" + UUID.randomUUID().toString().substring(0, 8));
  }
}
