package dev.graft.gateway.field;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.testing.DtlsTestPki;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.policies.Grant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Field I/O against a real CoAP server (Californium: plain, DTLS PSK, DTLS with certificates from a
 * throw-away openssl PKI) on a loopback port.
 */
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

  @TempDir static Path pkiFolder;
  private static DtlsTestPki pki;
  private static DtlsTestPki.Issued gatewayIdentity;

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
    return grant(address, credential ? "thermostat-psk" : null);
  }

  static Grant grant(String address, @Nullable String credential) {
    String yaml =
        """
        devices:
          thermostat:
            address: %s
            %s
            coap:
              - {path: /setpoint, methods: [GET]}
              - {path: /plain, methods: [GET]}
              - {path: /valve, methods: [PUT, POST]}
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
            .formatted(address, credential != null ? "credential: " + credential : "");
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

  private FieldPort open(String credential, Credentials credentials) {
    site = FieldSite.open(grant(server.address(), credential), options(), credentials);
    return site.bind(ModbusFieldTest.manifest(POINTS));
  }

  /** The site CA (devices and the gateway), and a CA this gateway does not trust. */
  @BeforeAll
  static void makePki() {
    pki = DtlsTestPki.in(pkiFolder).ca("site-ca").ca("other-ca");
    gatewayIdentity = pki.gateway("gateway-7", "site-ca");
  }

  private static Credentials gatewayCertificate() {
    return new InMemoryCredentials()
        .putCertificate(
            "thermostat-cert",
            gatewayIdentity.key(),
            gatewayIdentity.certificate(),
            pkiFolder.resolve("site-ca.pem"));
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
  void write_outputDeclaredPost_sentAsPost() {
    server = CoapTestServer.plain();
    site = FieldSite.open(grant(server.address(), false), options(), Credentials.none());
    FieldPort port =
        site.bind(
            ModbusFieldTest.manifest(
                """
                [{"name": "valve", "dir": "out", "device": "thermostat",
                  "coap": {"path": "/valve", "method": "POST"}}]
                """));
    Await.until("safe value posted", () -> server.valve.posts.contains("0.0"));

    TreeMap<Integer, Double> outputs = new TreeMap<>();
    outputs.put(0, 42.5);
    port.write(outputs);

    Await.until("42.5 posted", () -> server.valve.posts.contains("42.5"));
    assertThat(server.valve.puts).isEmpty();
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
    // the link status and the observed point follow on the link's own thread, not in the same step
    Await.until("link down", () -> !site.status("thermostat").up());
    Await.until("observed point bad", () -> port.snapshot().quality(0) == ProcessImage.BAD);
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
        .hasMessageContaining("device 'thermostat'")
        .hasMessageContaining("no credential 'thermostat-psk'");
  }

  @Test
  void open_certificateStoredUnderAnotherName_refusedNamingTheCredential() {
    DtlsTestPki.Issued device = pki.device("dev-missing", "site-ca", "IP:127.0.0.1");
    server = CoapTestServer.dtls(device, pkiFolder.resolve("site-ca.pem"));

    assertThatThrownBy(() ->
            FieldSite.open(grant(server.address(), "boiler-cert"), options(), gatewayCertificate()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no credential 'boiler-cert'")
        .hasMessageContaining("neither a PSK nor a certificate");
  }

  @Test
  void dtlsCertificates_deviceFromTheTrustedCa_valuesFlow() {
    DtlsTestPki.Issued device = pki.device("dev-good", "site-ca", "IP:127.0.0.1");
    server = CoapTestServer.dtls(device, pkiFolder.resolve("site-ca.pem"));
    FieldPort port = open("thermostat-cert", gatewayCertificate());

    Await.until("value over DTLS", () -> port.snapshot().quality(0) == ProcessImage.GOOD);
    assertThat(port.snapshot().value(0)).isEqualTo(60.0);
    server.setpoint.set("57.5");
    Await.until("notified over DTLS", () -> port.snapshot().value(0) == 57.5);
    Await.until("safe value put over DTLS", () -> server.valve.puts.contains("0.0"));
    assertThat(site.status("thermostat").lastFailure()).isNull();
  }

  @Test
  void dtlsCertificates_deviceAddressedByHostName_itsDnsNameIsChecked() {
    DtlsTestPki.Issued device = pki.device("dev-named", "site-ca", "DNS:localhost");
    server = CoapTestServer.dtls(device, pkiFolder.resolve("site-ca.pem"));
    String address = server.address().replace("127.0.0.1", "localhost");
    site = FieldSite.open(grant(address, "thermostat-cert"), options(), gatewayCertificate());
    FieldPort port = site.bind(ModbusFieldTest.manifest(POINTS));

    Await.until("value over DTLS", () -> port.snapshot().quality(0) == ProcessImage.GOOD);
    assertThat(port.snapshot().value(0)).isEqualTo(60.0);
  }

  @Test
  void dtlsCertificates_hostNameNotInTheCertificate_refused() {
    // the certificate names the right IP address, but the grant addresses the device by name
    DtlsTestPki.Issued device =
        pki.device("dev-misnamed", "site-ca", "DNS:boiler.plant.example,IP:127.0.0.1");
    server = CoapTestServer.dtls(device, pkiFolder.resolve("site-ca.pem"));
    String address = server.address().replace("127.0.0.1", "localhost");
    site = FieldSite.open(grant(address, "thermostat-cert"), options(), gatewayCertificate());
    FieldPort port = site.bind(ModbusFieldTest.manifest(POINTS));

    Await.until("several failed handshakes", () -> site.status("thermostat").failedAttempts() >= 3);
    assertThat(port.snapshot().quality(0)).isEqualTo(ProcessImage.BAD);
    assertThat(site.status("thermostat").lastFailure()).contains("localhost");
  }

  @Test
  void dtlsCertificates_deviceFromAnotherCa_refusedAndQualityStaysBad() {
    DtlsTestPki.Issued device = pki.device("dev-rogue", "other-ca", "IP:127.0.0.1");
    server = CoapTestServer.dtls(device, pkiFolder.resolve("site-ca.pem"));
    FieldPort port = open("thermostat-cert", gatewayCertificate());

    Await.until("several failed handshakes", () -> site.status("thermostat").failedAttempts() >= 3);
    assertThat(port.snapshot().quality(0)).isEqualTo(ProcessImage.BAD);
    assertThat(server.setpoint.plainGets.get() + server.setpoint.observeGets.get()).isZero();
    assertThat(server.valve.puts).isEmpty();
    assertThat(site.status("thermostat").connects()).isZero();
    assertThat(site.status("thermostat").lastFailure())
        .contains("GET /setpoint failed: DTLS handshake failed")
        .contains("Certificate chain could not be validated")
        .contains("trust anchors");
  }

  @Test
  void dtlsCertificates_deviceCertificateForAnotherAddress_refused() {
    // issued by the trusted CA, but to a device at another address: it cannot stand in here
    DtlsTestPki.Issued device = pki.device("dev-elsewhere", "site-ca", "IP:10.0.0.7");
    server = CoapTestServer.dtls(device, pkiFolder.resolve("site-ca.pem"));
    FieldPort port = open("thermostat-cert", gatewayCertificate());

    Await.until("several failed handshakes", () -> site.status("thermostat").failedAttempts() >= 3);
    assertThat(port.snapshot().quality(0)).isEqualTo(ProcessImage.BAD);
    assertThat(server.setpoint.plainGets.get() + server.setpoint.observeGets.get()).isZero();
    assertThat(site.status("thermostat").lastFailure())
        .contains("DTLS handshake failed")
        .contains("dev-elsewhere")
        .contains("127.0.0.1");
  }

  @Test
  void dtlsCertificates_gatewayFromAnotherCa_deviceRefusesIt() {
    DtlsTestPki.Issued device = pki.device("dev-strict", "site-ca", "IP:127.0.0.1");
    DtlsTestPki.Issued stranger = pki.gateway("gateway-stranger", "other-ca");
    server = CoapTestServer.dtls(device, pkiFolder.resolve("site-ca.pem"));
    Credentials credentials =
        new InMemoryCredentials()
            .putCertificate(
                "thermostat-cert",
                stranger.key(),
                stranger.certificate(),
                pkiFolder.resolve("site-ca.pem"));
    FieldPort port = open("thermostat-cert", credentials);

    Await.until("several failed handshakes", () -> site.status("thermostat").failedAttempts() >= 3);
    assertThat(port.snapshot().quality(0)).isEqualTo(ProcessImage.BAD);
    assertThat(server.setpoint.plainGets.get() + server.setpoint.observeGets.get()).isZero();
    assertThat(site.status("thermostat").connects()).isZero();
    assertThat(site.status("thermostat").lastFailure())
        .contains("DTLS handshake failed")
        .contains("BAD_CERTIFICATE");
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
  void connect_nothingBoundAndAnUntrustedDevice_neverUp() {
    // before a module binds its points the link probes with a ping, which must handshake too
    DtlsTestPki.Issued device = pki.device("dev-rogue-ping", "other-ca", "IP:127.0.0.1");
    server = CoapTestServer.dtls(device, pkiFolder.resolve("site-ca.pem"));
    site =
        FieldSite.open(grant(server.address(), "thermostat-cert"), options(), gatewayCertificate());

    Await.until("several failed pings", () -> site.status("thermostat").failedAttempts() >= 2);
    assertThat(site.status("thermostat").connects()).isZero();
    assertThat(site.status("thermostat").lastFailure())
        .contains("ping failed: DTLS handshake failed");
  }

  @Test
  void inMemoryCredentials_certificateOverPsk_theNameHoldsOneCredential() {
    InMemoryCredentials credentials =
        new InMemoryCredentials().putPsk("thermostat-psk", "gateway-7", KEY.clone());

    credentials.putCertificate(
        "thermostat-psk",
        gatewayIdentity.key(),
        gatewayIdentity.certificate(),
        pkiFolder.resolve("site-ca.pem"));

    assertThat(credentials.psk("thermostat-psk")).isEmpty();
    assertThat(credentials.certificate("thermostat-psk")).isPresent();
    credentials.putPsk("thermostat-psk", "gateway-7", KEY.clone());
    assertThat(credentials.certificate("thermostat-psk")).isEmpty();
  }

  @Test
  void pskCredential_toString_neverShowsTheSecret() {
    PskCredential psk = new PskCredential("gateway-7", KEY);

    assertThat(psk.toString())
        .contains("gateway-7")
        .doesNotContain(new String(KEY, StandardCharsets.UTF_8));
  }
}
