package dev.graft.gateway.agent;

import dev.graft.bundle.json.JsonObject;
import dev.graft.gateway.agent.report.ReportKind;
import dev.graft.gateway.agent.report.ReportSigner;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.Topics;
import dev.graft.transport.TraceContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes the gateway's reports on {@code graft/v1/gw/{gateway}/…}: the unsigned, retained {@code
 * presence}, and the signed {@code status} (retained), {@code events} and {@code health}. A report
 * that cannot be published (the broker is down) is dropped and counted: the audit log keeps every
 * decision, and {@code status} is published again after every change and every check.
 */
final class Reporter {
  private static final System.Logger LOG = System.getLogger(Reporter.class.getName());

  static final byte[] ONLINE = "online".getBytes(StandardCharsets.US_ASCII);
  static final byte[] OFFLINE = "offline".getBytes(StandardCharsets.US_ASCII);

  private final String gatewayId;
  private final MqttConnection connection;
  private final ReportSigner signer;
  private final AtomicLong dropped = new AtomicLong();

  Reporter(String gatewayId, MqttConnection connection, ReportSigner signer) {
    this.gatewayId = gatewayId;
    this.connection = connection;
    this.signer = signer;
  }

  void presence(boolean online) {
    send(Topics.gatewayPresence(gatewayId), online ? ONLINE : OFFLINE, true, Map.of());
  }

  void status(JsonObject content, Optional<String> directorTargets) {
    byte[] report = signer.sign(ReportKind.STATUS, directorTargets, content);
    send(Topics.gatewayStatus(gatewayId), report, true, Map.of());
  }

  void event(JsonObject content, Optional<String> directorTargets, Optional<TraceContext> trace) {
    byte[] report = signer.sign(ReportKind.EVENTS, directorTargets, content);
    send(
        Topics.gatewayEvents(gatewayId),
        report,
        false,
        trace.map(t -> Map.of(TraceContext.HEADER, t.header())).orElse(Map.of()));
  }

  void health(JsonObject content) {
    byte[] report = signer.sign(ReportKind.HEALTH, Optional.empty(), content);
    send(Topics.gatewayHealth(gatewayId), report, false, Map.of());
  }

  /** Reports that could not be published since the agent started. */
  long dropped() {
    return dropped.get();
  }

  private void send(String topic, byte[] payload, boolean retained, Map<String, String> props) {
    if (!connection.isConnected()) {
      dropped.incrementAndGet();
      return;
    }
    try {
      connection.publish(topic, payload, retained, props).await();
    } catch (RuntimeException e) {
      dropped.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "report to " + topic + " not published: " + e);
    }
  }
}
