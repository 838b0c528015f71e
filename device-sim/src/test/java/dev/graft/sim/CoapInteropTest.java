package dev.graft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.keys.testing.DtlsTestPki;
import dev.graft.sim.plant.Plant;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated thermostat used by Debian's libcoap clients: plain CoAP, DTLS PSK and DTLS with
 * certificates (libcoap's OpenSSL build supports PKI), GET, PUT and Observe.
 */
class CoapInteropTest {
  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final String IDENTITY = "graft-gateway";
  private static final String KEY = "interop-test-key-7f3a";

  @TempDir static Path pkiFolder;
  private static DtlsTestPki pki;
  private static DtlsTestPki.Issued gateway;
  private static DtlsCertificate thermostatCertificate;
  private static SimulatedSite site;
  private static Plant plant;

  /**
   * One DTLS endpoint with both a PSK and a certificate (from the site CA, clients from the site CA
   * only), so the PSK tests also show that adding certificates keeps PSK clients working.
   */
  @BeforeAll
  static void startSite() {
    pki = DtlsTestPki.in(pkiFolder).ca("site-ca").ca("other-ca");
    gateway = pki.gateway("graft-gateway", "site-ca");
    DtlsTestPki.Issued thermostat = pki.device("thermostat", "site-ca", "IP:127.0.0.1");
    thermostatCertificate =
        DtlsCertificate.fromPem(
            thermostat.key(), thermostat.certificate(), pkiFolder.resolve("site-ca.pem"));
    site = SimulatedSite.start(siteConfig());
    plant = site.plant();
  }

  private static SiteConfig siteConfig() {
    return SiteConfig.defaults()
        .withSpeed(0)
        .withPsk(IDENTITY, KEY)
        .withCertificate(thermostatCertificate);
  }

  @AfterAll
  static void stopSite() {
    site.close();
  }

  @BeforeEach
  void knownSetpoint() {
    plant.setSetpointC(60.0);
  }

  @AfterEach
  void clearFaults() {
    site.faults().clear();
  }

  private static String plainUri() {
    return site.coapAddress() + "/setpoint";
  }

  private static String secureUri() {
    return site.coapsAddress().orElseThrow() + "/setpoint";
  }

  private static String[] plain(String... arguments) {
    List<String> command = new ArrayList<>(List.of("coap-client-notls", "-B", "10"));
    command.addAll(List.of(arguments));
    command.add(plainUri());
    return command.toArray(String[]::new);
  }

  private static String[] secure(String key, String... arguments) {
    List<String> command =
        new ArrayList<>(List.of("coap-client-openssl", "-B", "10", "-u", IDENTITY, "-k", key));
    command.addAll(List.of(arguments));
    command.add(secureUri());
    return command.toArray(String[]::new);
  }

  @Test
  void get_plain_returnsTheSetpointAsText() throws Exception {
    ExternalTool.Result result = ExternalTool.run(LIMIT, plain("-m", "get"));

    assertThat(result.output().strip()).isEqualTo("60.0");
  }

  @Test
  void put_plain_thePlantSeesTheNewSetpoint() throws Exception {
    ExternalTool.Result result =
        ExternalTool.run(LIMIT, plain("-m", "put", "-t", "0", "-e", "65.5"));

    assertThat(result.output()).doesNotContain("4.");
    assertThat(plant.setpointC()).isEqualTo(65.5);
    assertThat(ExternalTool.run(LIMIT, plain("-m", "get")).output().strip()).isEqualTo("65.5");
  }

  @Test
  void put_notADecimal_badRequestWithReasonAndNoChange() throws Exception {
    ExternalTool.Result result =
        ExternalTool.run(LIMIT, plain("-m", "put", "-t", "0", "-e", "hot"));

    assertThat(result.output()).contains("4.00").contains("decimal").contains("'hot'");
    assertThat(plant.setpointC()).isEqualTo(60.0);
  }

  @Test
  void put_outOfRange_badRequestAndNoChange() throws Exception {
    ExternalTool.Result result =
        ExternalTool.run(LIMIT, plain("-m", "put", "-t", "0", "-e", "500"));

    assertThat(result.output()).contains("4.00").contains("outside");
    assertThat(plant.setpointC()).isEqualTo(60.0);
  }

  @Test
  void observe_plain_notifiedOfAChange() throws Exception {
    try (SimulatedSite own = freshSite()) {
      assertObservedChange(
          own,
          new String[] {
            "coap-client-notls", "-B", "10", "-s", "5", own.coapAddress() + "/setpoint"
          },
          72.5);
    }
  }

  @Test
  void get_dtls_returnsTheSetpoint() throws Exception {
    ExternalTool.Result result = ExternalTool.run(LIMIT, secure(KEY, "-m", "get"));

    assertThat(result.output().strip()).isEqualTo("60.0");
  }

  @Test
  void put_dtls_thePlantSeesTheNewSetpoint() throws Exception {
    ExternalTool.run(LIMIT, secure(KEY, "-m", "put", "-t", "0", "-e", "58.25"));

    assertThat(plant.setpointC()).isEqualTo(58.25);
  }

  @Test
  void observe_dtls_notifiedOfAChange() throws Exception {
    try (SimulatedSite own = freshSite()) {
      assertObservedChange(
          own,
          new String[] {
            "coap-client-openssl",
            "-B",
            "10",
            "-u",
            IDENTITY,
            "-k",
            KEY,
            "-s",
            "5",
            own.coapsAddress().orElseThrow() + "/setpoint"
          },
          66.5);
    }
  }

  @Test
  void wrongKey_dtls_getsNothingAndChangesNothing() throws Exception {
    ExternalTool.Result get =
        ExternalTool.run(LIMIT, secure("not-the-key", "-B", "3", "-m", "get"));
    ExternalTool.Result put =
        ExternalTool.run(
            LIMIT, secure("not-the-key", "-B", "3", "-m", "put", "-t", "0", "-e", "90"));

    assertThat(get.output()).doesNotContain("60.0");
    assertThat(put.output()).doesNotContain("2.04");
    assertThat(plant.setpointC()).isEqualTo(60.0);
  }

  /** coap-client over DTLS with certificates: its own, and the CA it checks the device against. */
  private static String[] certificate(
      DtlsTestPki.Issued client, String trusted, String... arguments) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "coap-client-openssl",
                "-B",
                "10",
                "-c",
                client.certificate().toString(),
                "-j",
                client.key().toString(),
                "-R",
                pkiFolder.resolve(trusted + ".pem").toString()));
    command.addAll(List.of(arguments));
    command.add(secureUri());
    return command.toArray(String[]::new);
  }

  @Test
  void get_dtlsCertificates_returnsTheSetpoint() throws Exception {
    ExternalTool.Result result =
        ExternalTool.run(LIMIT, certificate(gateway, "site-ca", "-m", "get"));

    assertThat(result.output().strip()).isEqualTo("60.0");
  }

  @Test
  void put_dtlsCertificates_thePlantSeesTheNewSetpoint() throws Exception {
    ExternalTool.run(LIMIT, certificate(gateway, "site-ca", "-m", "put", "-t", "0", "-e", "61.5"));

    assertThat(plant.setpointC()).isEqualTo(61.5);
  }

  @Test
  void observe_dtlsCertificates_notifiedOfAChange() throws Exception {
    try (SimulatedSite own = freshSite()) {
      List<String> command = new ArrayList<>(List.of(certificate(gateway, "site-ca", "-s", "5")));
      // certificate() ends with the shared site's URI; observe this site's instead
      command.set(command.size() - 1, own.coapsAddress().orElseThrow() + "/setpoint");
      assertObservedChange(own, command.toArray(String[]::new), 64.5);
    }
  }

  @Test
  void clientCertificateFromAnotherCa_dtls_refusedAndChangesNothing() throws Exception {
    DtlsTestPki.Issued stranger = pki.gateway("stranger", "other-ca");

    ExternalTool.Result get =
        ExternalTool.run(LIMIT, certificate(stranger, "site-ca", "-B", "3", "-m", "get"));
    ExternalTool.Result put =
        ExternalTool.run(
            LIMIT, certificate(stranger, "site-ca", "-B", "3", "-m", "put", "-t", "0", "-e", "90"));

    assertThat(get.output()).doesNotContain("60.0").contains("bad certificate");
    assertThat(put.output()).doesNotContain("2.04");
    assertThat(plant.setpointC()).isEqualTo(60.0);
  }

  @Test
  void noClientCertificate_dtls_refusedBecauseTheDeviceRequiresOne() throws Exception {
    ExternalTool.Result result =
        ExternalTool.run(
            LIMIT,
            "coap-client-openssl",
            "-B",
            "3",
            "-R",
            pkiFolder.resolve("site-ca.pem").toString(),
            "-m",
            "get",
            secureUri());

    assertThat(result.output()).doesNotContain("60.0").contains("bad certificate");
  }

  @Test
  void deviceFromAnUntrustedCa_clientRefusesIt() throws Exception {
    // the client trusts only the other CA, so the thermostat's certificate fails its check
    ExternalTool.Result result =
        ExternalTool.run(LIMIT, certificate(gateway, "other-ca", "-B", "3", "-m", "get"));

    assertThat(result.output()).doesNotContain("60.0");
  }

  @Test
  void offline_plain_noAnswer() throws Exception {
    site.faults().setCoapOffline(true);

    ExternalTool.Result result = ExternalTool.run(LIMIT, plain("-B", "3", "-m", "get"));

    assertThat(result.output()).doesNotContain("60.0");
  }

  @Test
  void observe_changeWhileOffline_observerCaughtUpWhenBackOnline() throws Exception {
    try (SimulatedSite own = freshSite();
        ExternalTool observer =
            ExternalTool.start(
                "coap-client-notls", "-B", "10", "-s", "5", own.coapAddress() + "/setpoint")) {
      awaitObserver(own);
      own.faults().setCoapOffline(true);
      own.plant().setSetpointC(70.0);
      own.faults().setCoapOffline(false);

      String output = observer.await(LIMIT).output();

      assertThat(output).contains("60.070.0");
    }
  }

  // Observe tests get a site of their own: a relation left behind by an earlier client would
  // make the observer count lie about the new client's registration.
  private static SimulatedSite freshSite() {
    return SimulatedSite.start(siteConfig());
  }

  private static void awaitObserver(SimulatedSite observed) throws InterruptedException {
    Instant deadline = Instant.now().plus(LIMIT);
    while (observed.coapObserverCount() == 0) {
      assertThat(Instant.now()).as("observe registration").isBefore(deadline);
      Thread.sleep(20);
    }
  }

  private static void assertObservedChange(
      SimulatedSite observed, String[] command, double newSetpoint) throws Exception {
    try (ExternalTool observer = ExternalTool.start(command)) {
      // Change only once the registration has arrived; otherwise the first answer would
      // already carry the new value and no notification would be needed.
      awaitObserver(observed);
      observed.plant().setSetpointC(newSetpoint);

      String output = observer.await(LIMIT).output();

      assertThat(output).contains("60.0" + newSetpoint);
    }
  }
}
