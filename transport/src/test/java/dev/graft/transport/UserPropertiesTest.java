package dev.graft.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.transport.testing.MosquittoBroker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MQTT 5 user properties through a real Mosquitto, and the caps on what a handler receives. */
class UserPropertiesTest {
  private static MosquittoBroker broker;
  private static MqttConnection connection;

  private record Received(String payload, boolean retained, Map<String, String> properties) {}

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

  @Test
  void publish_withTraceparent_propertiesHandlerSeesTheSameValue() throws Exception {
    String topic = eventsTopic();
    BlockingQueue<Received> received = watch(connection, topic);
    TraceContext trace = TraceContext.newRoot(new SplittableRandom(1));

    connection
        .publish(
            topic, "installed".getBytes(UTF_8), false, Map.of(TraceContext.HEADER, trace.header()))
        .await();

    Received message = received.poll(10, TimeUnit.SECONDS);
    assertThat(message).isNotNull();
    assertThat(message.payload()).isEqualTo("installed");
    assertThat(message.properties())
        .containsExactly(Map.entry(TraceContext.HEADER, trace.header()));
    assertThat(TraceContext.parse(message.properties().get(TraceContext.HEADER))).contains(trace);
  }

  @Test
  void publish_withoutProperties_handlerGetsAnEmptyMap() throws Exception {
    String topic = eventsTopic();
    BlockingQueue<Received> received = watch(connection, topic);

    connection.publishAndWait(topic, "plain".getBytes(UTF_8), false);

    Received message = received.poll(10, TimeUnit.SECONDS);
    assertThat(message).isEqualTo(new Received("plain", false, Map.of()));
  }

  @Test
  void publish_retainedWithProperties_laterSubscriberGetsThemWithTheRetainedMessage()
      throws Exception {
    String topic = eventsTopic();
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(TraceContext.HEADER, TraceContext.newRoot(new SplittableRandom(2)).header());
    properties.put("release", "2026.12.1");

    connection.publish(topic, "status".getBytes(UTF_8), true, properties).await();

    try (MqttConnection later = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      Received message = watch(later, topic).poll(10, TimeUnit.SECONDS);
      assertThat(message).isNotNull();
      assertThat(message.retained()).isTrue();
      assertThat(message.properties()).containsExactlyEntriesOf(properties);
    }
  }

  @Test
  void publish_tooManyProperties_refusedBeforeSending() {
    Map<String, String> properties = new LinkedHashMap<>();
    for (int i = 0; i <= MqttConnection.MAX_USER_PROPERTIES; i++) {
      properties.put("k" + i, "v");
    }

    assertThatThrownBy(() -> connection.publish(eventsTopic(), new byte[0], false, properties))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("33 user properties")
        .hasMessageContaining("at most 32");
  }

  @Test
  void publish_valueOverTheLengthCap_refusedBeforeSending() {
    Map<String, String> properties = Map.of("note", "x".repeat(1025));

    assertThatThrownBy(() -> connection.publish(eventsTopic(), new byte[0], false, properties))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user property 'note'")
        .hasMessageContaining("at most 1024");
  }

  @Test
  void incoming_duplicateKeys_keepTheFirstValue() {
    Map<String, String> kept =
        MqttConnection.incoming(
            properties(
                List.of(
                    new UserProperty(TraceContext.HEADER, "first"),
                    new UserProperty("other", "x"),
                    new UserProperty(TraceContext.HEADER, "second"))));

    assertThat(kept)
        .containsExactly(Map.entry(TraceContext.HEADER, "first"), Map.entry("other", "x"));
  }

  @Test
  void incoming_overlongKeyOrValue_ignored() {
    Map<String, String> kept =
        MqttConnection.incoming(
            properties(
                List.of(
                    new UserProperty("k".repeat(1025), "v"),
                    new UserProperty("long", "v".repeat(1025)),
                    new UserProperty("ok", "v".repeat(1024)))));

    assertThat(kept).containsOnlyKeys("ok");
  }

  @Test
  void incoming_moreThan32_keepsTheFirst32() {
    List<UserProperty> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(new UserProperty("k" + i, "v" + i));
    }

    Map<String, String> kept = MqttConnection.incoming(properties(many));

    assertThat(kept).hasSize(32).containsKey("k0").containsKey("k31").doesNotContainKey("k32");
    assertThatThrownBy(() -> kept.put("k", "v")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void incoming_noProperties_emptyMap() {
    assertThat(MqttConnection.incoming(new MqttProperties())).isEmpty();
    assertThat(MqttConnection.incoming(null)).isEmpty();
  }

  private static MqttProperties properties(List<UserProperty> list) {
    MqttProperties properties = new MqttProperties();
    properties.setUserProperties(list);
    return properties;
  }

  private static BlockingQueue<Received> watch(MqttConnection connection, String topic) {
    BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    connection.subscribe(
        topic,
        (t, payload, retained, properties) ->
            received.add(new Received(new String(payload, UTF_8), retained, properties)));
    return received;
  }

  private static String eventsTopic() {
    return Topics.gatewayEvents("gw-" + UUID.randomUUID().toString().substring(0, 8));
  }
}
