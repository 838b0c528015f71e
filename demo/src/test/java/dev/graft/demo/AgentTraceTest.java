package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.UpdateOutcome;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.Topics;
import dev.graft.transport.TraceContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * W3C trace context from the director's metadata through every event of the update it starts, in
 * MQTT 5 user properties.
 */
class AgentTraceTest {
  @TempDir static Path temp;
  static AgentBench bench;

  @BeforeAll
  static void startBench() throws Exception {
    bench = AgentBench.start(temp);
  }

  @AfterAll
  static void stopBench() throws Exception {
    bench.close();
  }

  @Test
  void directorTimestampWithTraceparent_everyEventOfThatUpdateCarriesTheTrace() throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-trace-1", 1, 3, "auto");
    UpdateAgent agent = gateway.start();
    List<Map.Entry<String, Map<String, String>>> events = new CopyOnWriteArrayList<>();
    MqttConnection observer = bench.releaseSide();
    observer.subscribe(
        Topics.PREFIX + "gw/" + gateway.id + "/+",
        (topic, payload, retained, properties) -> {
          if (topic.equals(Topics.gatewayEvents(gateway.id))) {
            events.add(Map.entry(new String(payload, StandardCharsets.UTF_8), properties));
          }
        });
    Director.Published assigned = gateway.assign(bench.release("1.0").target());
    TraceContext rollout = TraceContext.newRoot(new SecureRandom());
    // the rollout service publishes its timestamp with the rollout's trace context
    observer
        .publish(
            Topics.directorMetadata(gateway.id, "timestamp", OptionalLong.empty()),
            assigned.timestamp(),
            true,
            Map.of(TraceContext.HEADER, rollout.header()))
        .await();
    // the agent's own subscription sees the live publish about when the PUBACK comes back
    Thread.sleep(500);

    UpdateOutcome outcome = agent.checkNow();

    assertThat(outcome).isInstanceOf(UpdateOutcome.Committed.class);
    List<Map.Entry<String, Map<String, String>>> ofTheUpdate =
        events.stream()
            .filter(e -> e.getKey().contains("\"target\":\"boiler-control-1.0.0.graft\""))
            .toList();
    assertThat(ofTheUpdate).hasSizeGreaterThanOrEqualTo(6);
    assertThat(ofTheUpdate)
        .allSatisfy(e -> {
          TraceContext trace =
              TraceContext.parse(e.getValue().get(TraceContext.HEADER)).orElseThrow();
          assertThat(trace.traceId()).isEqualTo(rollout.traceId());
          assertThat(trace.parentId()).isNotEqualTo(rollout.parentId());
        });
  }
}
