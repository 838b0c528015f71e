package dev.graft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.testing.DtlsTestPki;
import dev.graft.gateway.field.Credentials;
import dev.graft.gateway.field.FieldOptions;
import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.field.FieldSite;
import dev.graft.gateway.field.InMemoryCredentials;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.sim.DtlsCertificate;
import dev.graft.sim.SimulatedSite;
import dev.graft.sim.SiteConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's field I/O reads device-sim's thermostat over {@code coaps://} with X.509
 * certificates: mutual authentication against a site CA made with openssl, the grant naming only
 * the credential.
 */
class CoapsCertificateTest {
  private static final Duration AWAIT = Duration.ofSeconds(30);

  @TempDir static Path folder;
  private static DtlsTestPki pki;
  private static DtlsTestPki.Issued gateway;

  private SimulatedSite site;
  private FieldSite field;

  @BeforeAll
  static void makePki() {
    pki = DtlsTestPki.in(folder).ca("site-ca").ca("other-ca");
    gateway = pki.gateway("graft-gateway", "site-ca");
  }

  @AfterEach
  void stop() {
    try {
      if (field != null) {
        field.close();
      }
    } finally {
      if (site != null) {
        site.close();
      }
    }
  }

  /** A thermostat whose certificate {@code ca} issued, requiring clients from the site CA. */
  private static SimulatedSite thermostat(String name, String ca) {
    DtlsTestPki.Issued device = pki.device(name, ca, "IP:127.0.0.1");
    DtlsCertificate certificate =
        DtlsCertificate.fromPem(device.key(), device.certificate(), folder.resolve("site-ca.pem"));
    return SimulatedSite.start(SiteConfig.defaults().withSpeed(0).withCertificate(certificate));
  }

  private static Credentials gatewayCredentials() {
    return new InMemoryCredentials()
        .putCertificate(
            "thermostat-cert", gateway.key(), gateway.certificate(), folder.resolve("site-ca.pem"));
  }

  private static Grant grant(SimulatedSite site) {
    String yaml =
        """
        devices:
          thermostat:
            address: %s
            credential: thermostat-cert
            coap:
              - {path: /setpoint, methods: [GET]}
        ceilings:
          memory_pages: 16
          tick_budget_us: 5000
          min_tick_ms: 10
          init_budget_ms: 500
          self_test_budget_ms: 2000
        outputs: []
        watch: {window_s: 60, fault_limit: 0}
        rollback: auto
        """
            .formatted(site.coapsAddress().orElseThrow());
    return Grant.parse(yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static Manifest manifest() {
    String json =
        """
        {"abi": "graft/1", "name": "coaps-test", "version": "1.0.0",
         "module": {"sha256": "%s"},
         "tick_ms": 50, "limits": {"memory_pages": 1, "tick_budget_us": 1000},
         "points": [
           {"name": "setpoint", "dir": "in", "device": "thermostat",
            "coap": {"path": "/setpoint"}}
         ]}
        """
            .formatted("0".repeat(64));
    return Manifest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static FieldOptions options() {
    return new FieldOptions(
        Duration.ofMillis(50),
        Map.of(),
        Duration.ofSeconds(2),
        Duration.ofMillis(50),
        Duration.ofMillis(500),
        0,
        Duration.ofSeconds(30),
        Duration.ofHours(1));
  }

  @Test
  @DisplayName(
      "the gateway reads the thermostat's setpoint over coaps:// with certificates from the site"
          + " CA, and sees it change")
  void siteCa_setpointReadAndObserved() {
    site = thermostat("thermostat", "site-ca");
    field = FieldSite.open(grant(site), options(), gatewayCredentials());
    FieldPort port = field.bind(manifest());

    Await.until(
        "the setpoint over DTLS",
        AWAIT,
        () -> port.snapshot().quality(0) == ProcessImage.GOOD,
        () -> String.valueOf(field.status("thermostat")));
    assertThat(port.snapshot().value(0)).isEqualTo(60.0);

    site.plant().setSetpointC(63.5);
    Await.until("the new setpoint", AWAIT, () -> port.snapshot().value(0) == 63.5);
  }

  @Test
  @DisplayName(
      "a thermostat whose certificate another CA issued is refused: no value, the point stays bad,"
          + " and the link says why")
  void anotherCa_refusedAndThePointStaysBad() {
    site = thermostat("impostor", "other-ca");
    field = FieldSite.open(grant(site), options(), gatewayCredentials());
    FieldPort port = field.bind(manifest());

    Await.until(
        "several refused handshakes",
        AWAIT,
        () -> field.status("thermostat").failedAttempts() >= 3);
    assertThat(port.snapshot().quality(0)).isEqualTo(ProcessImage.BAD);
    assertThat(field.status("thermostat").connects()).isZero();
    assertThat(field.status("thermostat").lastFailure())
        .contains("DTLS handshake failed")
        .contains("Certificate chain could not be validated");
  }

  @Test
  @DisplayName("a grant naming a credential the gateway does not hold is refused, naming it")
  void missingCredential_refusedNamingIt() {
    site = thermostat("thermostat", "site-ca");

    assertThatThrownBy(() -> FieldSite.open(grant(site), options(), new InMemoryCredentials()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no credential 'thermostat-cert'");
  }
}
