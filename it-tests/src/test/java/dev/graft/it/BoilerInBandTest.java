package dev.graft.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.FaultKind;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.gateway.scan.ScanLoop;
import dev.graft.gateway.scan.ScanStats;
import dev.graft.policies.Manifest;
import dev.graft.sim.plant.PlantParameters;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * boiler-control 1.0, as built, holds the simulated boiler at its setpoint: cold start, heat-up,
 * then minutes of simulated time in band, over real Modbus TCP and CoAP/DTLS.
 *
 * <p>The site runs {@value #SPEED}× faster than real time, and so does the scan loop's clock
 * ({@link ScaledClock}): the module's 100 ms ticks come every {@code 100 / SPEED} ms of real time
 * and its {@code now_ms} counts plant milliseconds, so the PID's gains and its 5 s
 * time-proportioning window mean the same on this site as on a real one.
 */
class BoilerInBandTest {
  static final double SPEED = 20;

  /** From a cold start (20 °C) to the 60 °C setpoint takes about two simulated minutes. */
  static final Duration SETTLE = Duration.ofMinutes(3);

  /** The N simulated minutes the boiler must stay in band. */
  static final Duration IN_BAND = Duration.ofMinutes(5);

  static final double BAND_C = 2.0;

  private static BoilerSite site;

  @BeforeAll
  static void startSite() {
    site = BoilerSite.start(SPEED, PlantParameters.DEFAULT);
  }

  @AfterAll
  static void stopSite() {
    if (site != null) {
      site.close();
    }
  }

  @Test
  @DisplayName(
      "boiler-control 1.0 heats the cold boiler and keeps it within ±2 °C of its setpoint for five"
          + " simulated minutes, without faults and without the PLC's watchdog tripping")
  void boilerControl_onSimulatedSite_keepsTemperatureInBand() {
    Manifest manifest = ExampleModules.manifest("boiler-control-1.0");
    TickLog log = new TickLog(site.site().plant());
    ControlLogic logic =
        log.watch(ExampleModules.load("boiler-control-1.0", manifest, site.grant()));
    Duration end = SETTLE.plus(IN_BAND);
    ScanStats stats;
    try (ScanLoop loop =
        ScanLoop.builder(logic, log.tap(site.field().bind(manifest)), site.grant())
            .clock(site.clock())
            .listener(log)
            .threadName("e2e-scan-in-band")
            .build()) {
      loop.start();
      Await.until(
          end + " of simulated time",
          Duration.ofSeconds(Math.round(end.toSeconds() / SPEED * 5) + 60),
          () -> site.site().plant().simulatedTime().compareTo(end) >= 0,
          () -> site.site().status());
      stats = loop.stats();
    }

    double setpoint = site.site().plant().setpointC();
    List<TickLog.Tick> window =
        log.ticks(t ->
            t.plant().simulatedTime().compareTo(SETTLE) >= 0
                && t.plant().simulatedTime().compareTo(end) <= 0);
    assertThat(window).as("ticks in the in-band window").isNotEmpty();
    Duration covered =
        window.getLast().plant().simulatedTime().minus(window.getFirst().plant().simulatedTime());
    assertThat(covered)
        .as("simulated time the window covers")
        .isGreaterThan(IN_BAND.minusSeconds(5));
    // the plant's true temperature, and the temperature the gateway read over Modbus
    assertThat(window)
        .as("ticks out of band or with inputs not good")
        .filteredOn(t ->
            Math.abs(t.plant().temperatureC() - setpoint) > BAND_C
                || !t.inputsGood()
                || Math.abs(t.temperature() - setpoint) > BAND_C)
        .isEmpty();
    // it is the loop that holds it there: the burner is switched on and off all along
    assertThat(window).anyMatch(t -> Double.valueOf(1).equals(t.burner()));
    assertThat(window).anyMatch(t -> Double.valueOf(0).equals(t.burner()));
    // A tick that runs past its 5 ms budget on a loaded machine is discarded (outputs held at
    // their fault policy for that tick): that is containment working, and timing, so it is
    // allowed here. Any other fault is a failure of the module or the host.
    assertThat(log.ticks(t -> !t.ok()))
        .allSatisfy(t ->
            assertThat(t.fault())
                .extracting(TickResult.Fault::kind)
                .isEqualTo(FaultKind.BUDGET_EXCEEDED));
    assertThat(stats.ticks()).isPositive();
    assertThat(site.site().plant().reading().watchdogTrips()).as("PLC watchdog trips").isZero();
  }
}
