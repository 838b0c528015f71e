package dev.graft.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.field.FieldOptions;
import dev.graft.gateway.field.FieldSite;
import dev.graft.gateway.field.InMemoryCredentials;
import dev.graft.policies.Grant;
import dev.graft.sim.SimulatedSite;
import dev.graft.sim.SiteConfig;
import dev.graft.sim.plant.PlantParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A simulated boiler site (device-sim: Modbus TCP PLC, CoAP thermostat over DTLS) and the gateway's
 * field I/O opened on it from the example grant {@code policies/examples/boiler-site.yaml}, whose
 * device addresses are rewritten to the site's free ports.
 */
final class BoilerSite implements AutoCloseable {
  /** The identity and key of the thermostat's DTLS endpoint; the grant names the credential. */
  private static final String PSK_IDENTITY = "graft-gateway";

  private static final String PSK_KEY = "e2e-test-key-not-secret";

  private final SimulatedSite site;
  private final Grant grant;
  private final FieldSite field;
  private final double speed;

  private BoilerSite(SimulatedSite site, Grant grant, FieldSite field, double speed) {
    this.site = site;
    this.grant = grant;
    this.field = field;
    this.speed = speed;
  }

  /**
   * Starts the site at {@code speed} with {@code plant}, and the field I/O with its timings scaled
   * so that, in simulated time, inputs are polled every 0.2 s and outputs rewritten every 2 s (well
   * inside the PLC's watchdog).
   */
  static BoilerSite start(double speed, PlantParameters plant) {
    SimulatedSite site =
        SimulatedSite.start(
            SiteConfig.defaults().withSpeed(speed).withPlant(plant).withPsk(PSK_IDENTITY, PSK_KEY));
    try {
      Grant grant = grant(site);
      FieldOptions options =
          new FieldOptions(
              realTime(0.2, speed, 10),
              Map.of(),
              Duration.ofSeconds(1),
              Duration.ofMillis(50),
              Duration.ofMillis(500),
              8,
              Duration.ofSeconds(1),
              realTime(rewriteSeconds(plant), speed, 10));
      InMemoryCredentials credentials =
          new InMemoryCredentials()
              .putPsk("thermostat-psk", PSK_IDENTITY, PSK_KEY.getBytes(StandardCharsets.UTF_8));
      return new BoilerSite(site, grant, FieldSite.open(grant, options, credentials), speed);
    } catch (RuntimeException e) {
      site.close();
      throw e;
    }
  }

  // A third of the PLC's watchdog, so one lost rewrite never trips it; 2 s without a watchdog.
  private static double rewriteSeconds(PlantParameters plant) {
    int watchdog = plant.watchdogSeconds();
    return watchdog == 0 ? 2.0 : Math.min(2.0, watchdog / 3.0);
  }

  private static Duration realTime(double simulatedSeconds, double speed, long floorMillis) {
    long millis = Math.round(simulatedSeconds * 1000 / speed);
    return Duration.ofMillis(Math.max(floorMillis, millis));
  }

  /**
   * The example grant for this site: the same devices, ranges, outputs and swap rules, with the
   * addresses of this run's ports and {@code min_tick_ms} lowered to 10 for the 10 ms swap tests.
   */
  static Grant grant(SimulatedSite site) {
    Path file =
        Path.of(System.getProperty("graft.policies.examples", "../policies/examples"))
            .resolve("boiler-site.yaml");
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String coaps = site.coapsAddress().orElseThrow();
    String rewritten =
        replaceOnce(
            replaceOnce(
                replaceOnce(yaml, "modbus-tcp://10.0.0.5:502?unit=1", site.modbusAddress()),
                "coaps://10.0.0.7",
                coaps),
            "min_tick_ms: 50",
            "min_tick_ms: 10");
    return Grant.parse(rewritten.getBytes(StandardCharsets.UTF_8));
  }

  private static String replaceOnce(String text, String from, String to) {
    assertThat(text).as("policies/examples/boiler-site.yaml").containsOnlyOnce(from);
    return text.replace(from, to);
  }

  SimulatedSite site() {
    return site;
  }

  Grant grant() {
    return grant;
  }

  FieldSite field() {
    return field;
  }

  /** The scan loop's clock for this site: module time runs at the site's speed. */
  ScaledClock clock() {
    return new ScaledClock(speed);
  }

  @Override
  public void close() {
    try {
      field.close();
    } finally {
      site.close();
    }
  }
}
