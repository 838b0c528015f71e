package dev.graft.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.scan.ScanLoop;
import dev.graft.policies.Manifest;
import dev.graft.sim.plant.PlantParameters;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A normal shutdown while boiler-control drives the burner: by the time {@code ScanLoop.stop()}
 * returns, the PLC holds the burner coil's safe value (0). The scan loop used to close the port
 * right after applying the fault policy, which dropped the queued write: in 4 of 6 runs the coil
 * stayed 1 until the PLC's watchdog acted. Six runs here, each with a fresh loop and port.
 */
class ShutdownTest {
  private static final Duration AWAIT = Duration.ofSeconds(30);

  private static BoilerSite site;

  @BeforeAll
  static void startSite() {
    // cold, so boiler-control asks for full heat; no PLC watchdog, so only the gateway's own
    // write can switch the burner off
    PlantParameters cold =
        new PlantParameters(15.0, 20.0, 0.5, 0.004, 0.05, 12.0, 0.1, 60.0, true, 0);
    site = BoilerSite.start(1.0, cold);
  }

  @AfterAll
  static void stopSite() {
    if (site != null) {
      site.close();
    }
  }

  @RepeatedTest(6)
  @DisplayName("stop() returns only once the PLC holds the burner's safe value")
  void stop_burnerOn_burnerCoilSafeWhenStopReturns() {
    Manifest manifest = ExampleModules.manifest("boiler-control-1.0");
    ControlLogic logic = ExampleModules.load("boiler-control-1.0", manifest, site.grant());
    FieldPort port = site.field().bind(manifest);
    ScanLoop loop =
        ScanLoop.builder(logic, port, site.grant())
            .clock(site.clock())
            .threadName("e2e-scan-shutdown")
            .build();
    loop.start();
    Await.until(
        "the PLC's burner on", AWAIT, () -> site.site().plant().burner(), site.site()::status);

    loop.stop();

    assertThat(site.site().plant().burner()).as("the PLC's burner coil").isFalse();
  }
}
