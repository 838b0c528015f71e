package dev.graft.gateway.field;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.policies.Grant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Field I/O against a real CoAP server (Californium, plain and DTLS PSK) on a loopback port. */
class CoapFieldTest {
  private static final byte[] KEY = "correct horse battery".getBytes(StandardCharsets.UTF_8);

  // 0 setpoint (observable), 1 plain (no Observe), 2 valve (PUT output)
  private static final String POINTS =
      """
      [
        {"name": "setpoint", "dir": "in", "device": "thermostat", "coap": {"path": "/setpoint"}},
        {"name": "plain", "dir": "in", "device": "thermostat", "coap": {"path": "/plain"}},
        {"name": "valve", "dir": "out", "device": "thermostat", "coap": {"path": "/valve"}}
      ]
      """;

  private CoapTestServer server;
  private FieldSite site;

  @AfterEach
  void stopAll() {
    if (site != null) {
      site.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static Grant grant(String address, boolean credential) {
    String yaml =
        """
        devices:
          thermostat:
            address: %s
            %s
            coap:
              - {path: /setpoint, methods: [GET]}
              - {path: /plain, methods: [GET]}
              - {path: /valve, methods: [PUT]}
        ceilings:
          memory_pages: 16
          tick_budget_us: 5000
          min_tick_ms: 10
          init_budget_ms: 500
          self_test_budget_ms: 2000
        outputs:
          - {device: thermostat, path: /valve, min: 0, max: 100, safe: 0, fault: safe}
        watch: {window_s: 60, fault_limit: 0}
        rollback: auto
        """
            .formatted(address, credential ? "credential: thermostat-psk" : "");
    return Grant.parse(yaml.getBytes(StandardCharsets.UTF_8));
  }

  /** Stale only after 30 s, so an observed value is never refreshed by GET during a test. */
  static FieldOptions options() {
    return new FieldOptions(
        Duration.ofMillis(30),
        Map.of(),
        Duration.ofSeconds(2),
        Duration.ofMillis(50),
        Duration.ofMillis(400),
        0,
        Duration.ofSeconds(30),
        Duration.ofHours(1));
  }

  private FieldPort open(Credentials credentials) {
    site = FieldSite.open(grant(server.address(), server.secure), options(), credentials);
    return site.bind(ModbusFieldTest.manifest(POINTS));
  }

  @Test
  void observe_valueChangesOnServer_arriveAsNotifications() {
    server = CoapTestServer.plain();
    FieldPort port = open(Credentials.none());
    Await.until("first value", () -> port.snapshot().quality(0) == ProcessImage.GOOD);
    assertThat(port.snapshot().value(0)).isEqualTo(60.0);

    for (String value : new String[] {"61.5", "62.25", "-3"}) {
      server.setpoint.set(value);
      double expected = Double.parseDouble(value);
      Await.until("notified " + value, () -> port.snapshot().value(0) == expected);
    }

    // (Californium runs handleGET for the registration and for notifications, so that count
    // is not the number of registrations)
    assertThat(server.setpoint.observeGets.get()).isPositive();
    // the only plain GET is the probe when the link came up; values came by Observe
    assertThat(server.setpoint.plainGets.get()).isLessThanOrEqualTo(1);
  }

  @Test
  void observe_serverWithoutObserve_fallsBackToGet() {
    server = CoapTestServer.plain();
    FieldPort port = open(Credentials.none());
    Await.until("plain value", () -> port.snapshot().quality(1) == ProcessImage.GOOD);

    // a change without a notification: only a GET can see it
    server.plain.value = "17.5";
    Await.until("polled value", () -> port.snapshot().value(1) == 17.5);
    server.plain.value = "18.5";
    Await.until("polled again", () -> port.snapshot().value(1) == 18.5);
    // one GET per change at least; the single observe request was answered without Observe
    assertThat(server.plain.plainGets.get()).isGreaterThanOrEqualTo(2);
    assertThat(server.plain.observeGets.get()).isEqualTo(1);
  }

  @Test
  void write_coapOutput_putAsTextDecimal() {
    server = CoapTestServer.plain();
    FieldPort port = open(Credentials.none());
    // before the first tick the valve went to its safe value
    Await.until("safe value put", () -> server.valve.puts.contains("0.0"));

    TreeMap<Integer, Double> outputs = new TreeMap<>();
    outputs.put(2, 42.5);
    port.write(outputs);

    Await.until("42.5 put", () -> "42.5".equals(server.valve.value));
    assertThat(server.valve.puts).endsWith("42.5");
  }

  @Test
  void snapshot_serverGone_badQuality() {
    server = CoapTestServer.plain();
    FieldPort port = open(Credentials.none());
    Await.until("good", () -> port.snapshot().quality(0) == ProcessImage.GOOD);

    server.close();
    server = null;
    // the observed value stays quiet; the next GET of /plain finds nobody there
    Await.until("bad", () -> port.snapshot().quality(1) == ProcessImage.BAD);
    assertThat(site.status("thermostat").up()).isFalse();
    assertThat(port.snapshot().quality(0)).isEqualTo(ProcessImage.BAD);
  }

  @Test
  void dtls_rightKey_valuesFlow() {
    server = CoapTestServer.dtls("gateway-7", KEY);
    FieldPort port =
        open(new InMemoryCredentials().putPsk("thermostat-psk", "gateway-7", KEY.clone()));

    Await.until("value over DTLS", () -> port.snapshot().quality(0) == ProcessImage.GOOD);
    assertThat(port.snapshot().value(0)).isEqualTo(60.0);
    server.setpoint.set("58.5");
    Await.until("notified over DTLS", () -> port.snapshot().value(0) == 58.5);
  }

  @Test
  void dtls_wrongKey_noValueEverArrives() {
    server = CoapTestServer.dtls("gateway-7", KEY);
    byte[] wrong = "incorrect horse battery".getBytes(StandardCharsets.UTF_8);
    FieldPort port = open(new InMemoryCredentials().putPsk("thermostat-psk", "gateway-7", wrong));

    Await.until("several failed handshakes", () -> site.status("thermostat").failedAttempts() >= 3);
    assertThat(port.snapshot().quality(0)).isEqualTo(ProcessImage.BAD);
    assertThat(server.setpoint.plainGets.get() + server.setpoint.observeGets.get()).isZero();
    assertThat(site.status("thermostat").connects()).isZero();
  }

  @Test
  void open_coapsWithoutStoredCredential_refusedNamingTheCredential() {
    server = CoapTestServer.dtls("gateway-7", KEY);

    assertThatThrownBy(
            () -> FieldSite.open(grant(server.address(), true), options(), Credentials.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no PSK 'thermostat-psk'");
  }

  @Test
  void connect_nothingBound_upOnceTheDeviceAnswersAPing() {
    server = CoapTestServer.plain();
    site = FieldSite.open(grant(server.address(), false), options(), Credentials.none());

    Await.until("up by ping", () -> site.status("thermostat").up());
    assertThat(server.setpoint.plainGets.get() + server.plain.plainGets.get()).isZero();
    assertThat(site.status("thermostat").lastFailure()).isNull();
  }

  @Test
  void connect_nothingBoundAndAWrongKey_neverUp() {
    // before a module binds its points the link probes with a ping, which must handshake too
    server = CoapTestServer.dtls("gateway-7", KEY);
    byte[] wrong = "incorrect horse battery".getBytes(StandardCharsets.UTF_8);
    site =
        FieldSite.open(
            grant(server.address(), true),
            options(),
            new InMemoryCredentials().putPsk("thermostat-psk", "gateway-7", wrong));

    Await.until("several failed pings", () -> site.status("thermostat").failedAttempts() >= 2);
    assertThat(site.status("thermostat").connects()).isZero();
    assertThat(site.status("thermostat").lastFailure()).startsWith("ping");
  }

  @Test
  void pskCredential_toString_neverShowsTheSecret() {
    PskCredential psk = new PskCredential("gateway-7", KEY);

    assertThat(psk.toString())
        .contains("gateway-7")
        .doesNotContain(new String(KEY, StandardCharsets.UTF_8));
  }
}
