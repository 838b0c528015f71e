package dev.graft.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.sim.ModbusExceptionFault;
import dev.graft.sim.RegisterTable;
import dev.graft.sim.SimulatedSite;
import dev.graft.sim.SiteConfig;
import dev.graft.sim.plant.RegisterMap;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SiteConsoleTest {
  private static SimulatedSite site;
  private static SiteConsole console;

  @BeforeAll
  static void start() {
    site = SimulatedSite.start(SiteConfig.defaults().withSpeed(0));
    console = new SiteConsole(site);
  }

  @AfterAll
  static void stop() {
    site.close();
  }

  @AfterEach
  void clear() {
    site.faults().clear();
  }

  @Test
  void execute_offlineSwitches_setTheFaults() {
    String answer = console.execute("modbus offline");
    console.execute("COAP offline");

    assertThat(site.faults().modbusOffline()).isTrue();
    assertThat(site.faults().coapOffline()).isTrue();
    assertThat(answer).contains("faults: modbus offline");

    console.execute("modbus online");
    assertThat(site.faults().modbusOffline()).isFalse();
  }

  @Test
  void execute_exceptionDelayCorrupt_setTheFaults() {
    console.execute("exception holding_register 10 2 6");
    console.execute("delay 250");
    console.execute("corrupt flow on");
    console.execute("corrupt temperature on");

    assertThat(site.faults().modbusException())
        .isEqualTo(new ModbusExceptionFault(RegisterTable.HOLDING_REGISTER, 10, 2, 6));
    assertThat(site.faults().responseDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(site.faults().corruptFlow()).isTrue();
    assertThat(site.faults().corruptTemperature()).isTrue();

    console.execute("exception off");
    assertThat(site.faults().modbusException()).isNull();
  }

  @Test
  void execute_rebootPermitSetpoint_actOnThePlant() {
    site.plant().writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});

    console.execute("reboot");
    console.execute("permit off");
    console.execute("setpoint 55.5");

    assertThat(site.plant().burner()).isFalse();
    assertThat(site.plant().reading().updatePermit()).isFalse();
    assertThat(site.plant().setpointC()).isEqualTo(55.5);
    console.execute("permit on");
  }

  @Test
  void execute_badCommands_sayWhatIsAllowedAndChangeNothing() {
    assertThatThrownBy(() -> console.execute("explode"))
        .hasMessageContaining("unknown command 'explode'");
    assertThatThrownBy(() -> console.execute("modbus sideways"))
        .hasMessageContaining("offline or online");
    assertThatThrownBy(() -> console.execute("exception table 1 1 4"))
        .hasMessageContaining("table must be coil");
    assertThatThrownBy(() -> console.execute("delay soon")).hasMessageContaining("whole number");
    assertThatThrownBy(() -> console.execute("setpoint 900")).hasMessageContaining("outside");

    assertThat(site.faults().summary()).isEqualTo("none");
    assertThat(site.plant().setpointC()).isNotEqualTo(900.0);
  }

  @Test
  void execute_help_listsTheCommands() {
    assertThat(console.execute("help")).contains("modbus offline|online").contains("reboot");
  }
}
