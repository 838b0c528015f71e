package dev.graft.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.scan.ScanLoop;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.ModbusTable;
import dev.graft.sim.plant.PlantParameters;
import dev.graft.sim.plant.RegisterMap;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The boiler PLC drops off the network while boiler-control drives its burner: the gateway puts the
 * burner output to the grant's safe value, the PLC's own watchdog switches the burner off, and the
 * scan loop ticks on. The site runs in real time with a 1 s PLC watchdog; the boiler starts cold,
 * so the loop asks for full heat and the burner is on when the link is cut.
 */
class LinkLossTest {
  private static final Duration AWAIT = Duration.ofSeconds(30);
  private static final String PLC = "boiler-plc";

  private static BoilerSite site;

  @BeforeAll
  static void startSite() {
    PlantParameters cold =
        new PlantParameters(15.0, 20.0, 0.5, 0.004, 0.05, 12.0, 0.1, 60.0, true, 1);
    site = BoilerSite.start(1.0, cold);
  }

  @AfterAll
  static void stopSite() {
    if (site != null) {
      site.site().faults().clear();
      site.close();
    }
  }

  @Test
  @DisplayName(
      "when the PLC's link is cut, the burner output goes to the grant's safe value, the PLC's"
          + " watchdog switches the burner off, and control resumes when the link is back")
  void linkCut_burnerOn_outputsGoToSafeValueAndControlResumes() {
    Manifest manifest = ExampleModules.manifest("boiler-control-1.0");
    double safe =
        site.grant()
            .output(PLC, new Grant.Target.Register(ModbusTable.COIL, RegisterMap.BURNER_COIL))
            .orElseThrow()
            .safe()
            .doubleValue();
    TickLog log = new TickLog(site.site().plant());
    ControlLogic logic = ExampleModules.load("boiler-control-1.0", manifest, site.grant());
    FieldPort port = site.field().bind(manifest);
    try (ScanLoop loop =
        ScanLoop.builder(logic, log.tap(port), site.grant())
            .clock(site.clock())
            .listener(log)
            .threadName("e2e-scan-link-loss")
            .build()) {
      loop.start();
      Await.until(
          "the PLC's burner on", AWAIT, () -> site.site().plant().burner(), site.site()::status);
      assertThat(port.snapshot().value(TickLog.BURNER)).isEqualTo(1.0);
      int tripsBefore = site.site().plant().reading().watchdogTrips();

      site.site().faults().setModbusOffline(true);
      Await.until(
          "the burner output at its safe value " + safe,
          AWAIT,
          () -> {
            ProcessImage image = port.snapshot();
            return image.value(TickLog.BURNER) == safe
                && image.quality(TickLog.BURNER) == ProcessImage.BAD;
          },
          () -> port.snapshot().toString());
      assertThat(site.field().status(PLC).up()).isFalse();
      Await.until(
          "the PLC's watchdog to switch the burner off",
          AWAIT,
          () -> !site.site().plant().burner(),
          site.site()::status);
      assertThat(site.site().plant().reading().watchdogTrips()).isGreaterThan(tripsBefore);

      // the loop never waited on the dead link: it ticked on, on inputs it could not trust, and
      // boiler-control itself asks for no heat on such readings
      int ticksAtCut = log.size();
      Await.until("ten more ticks", AWAIT, () -> log.size() >= ticksAtCut + 10);
      assertThat(log.ticks().subList(ticksAtCut, ticksAtCut + 10))
          .allSatisfy(t -> {
            assertThat(t.inputs()).isNotNull();
            assertThat(t.inputs().quality(TickLog.TEMP)).isNotEqualTo(ProcessImage.GOOD);
            assertThat(t.burner()).isEqualTo(safe);
          });
      // and the output stays at its safe value for as long as the link is down
      assertThat(port.snapshot().value(TickLog.BURNER)).isEqualTo(safe);

      site.site().faults().setModbusOffline(false);
      Await.until(
          "control to resume: the PLC's burner on again",
          AWAIT,
          () -> site.site().plant().burner(),
          site.site()::status);
      assertThat(site.field().status(PLC).up()).isTrue();
    } finally {
      site.site().faults().clear();
    }
  }
}
