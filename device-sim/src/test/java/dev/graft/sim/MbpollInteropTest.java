package dev.graft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.graft.sim.plant.Plant;
import dev.graft.sim.plant.RegisterMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulated boiler PLC read and written by Debian's mbpoll (libmodbus), a real master. */
class MbpollInteropTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  // The clock stands still: what mbpoll reads must equal what the model holds.
  private static SimulatedSite site;
  private static Plant plant;

  @BeforeAll
  static void startSite() {
    site = SimulatedSite.start(SiteConfig.defaults().withSpeed(0));
    plant = site.plant();
    plant.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});
    plant.advance(Duration.ofSeconds(3));
  }

  @AfterAll
  static void stopSite() {
    site.close();
  }

  @AfterEach
  void clearFaults() {
    site.faults().clear();
  }

  private static ExternalTool.Result mbpoll(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("mbpoll", "-m", "tcp", "-0", "-1", "-o", "5"));
    command.addAll(List.of("-p", String.valueOf(site.modbusSocketAddress().getPort())));
    command.addAll(List.of(arguments));
    return ExternalTool.run(LIMIT, command.toArray(String[]::new));
  }

  private static String value(ExternalTool.Result result, int reference) {
    Matcher matcher =
        Pattern.compile("^\\[" + reference + "\\]:\\s+(\\S+)", Pattern.MULTILINE)
            .matcher(result.output());
    assertThat(matcher.find()).as("mbpoll output:\n%s", result.output()).isTrue();
    return matcher.group(1);
  }

  @Test
  void temperatureRegister_readByMbpoll_isTheMeasuredTemperatureInTenths() throws Exception {
    ExternalTool.Result result = mbpoll("-a", "1", "-t", "3", "-r", "0", "127.0.0.1");

    long expected = Math.round(plant.measuredTemperatureC() * 10);
    assertThat(expected).isGreaterThan(200); // it heated: a stale 20.0 °C would not pass
    assertThat(Long.parseLong(value(result, 0))).isEqualTo(expected);
  }

  @Test
  void flowRegisters_readAsBigEndianFloat_areTheFlowMeterReading() throws Exception {
    ExternalTool.Result result = mbpoll("-a", "1", "-t", "3:float", "-B", "-r", "2", "127.0.0.1");

    // mbpoll prints six significant digits; the wrong word order would be off by far more.
    assertThat(Double.parseDouble(value(result, 2))).isCloseTo(plant.flowLpm(), within(1e-3));
  }

  @Test
  void holdingRegister_writtenByMbpoll_isStoredAndReadBack() throws Exception {
    ExternalTool.Result write = mbpoll("-a", "1", "-t", "4", "-r", "7", "127.0.0.1", "1234");
    assertThat(write.output()).contains("Written 1 references");
    assertThat(plant.holdingRegisters(7, 1)).containsExactly(1234);

    ExternalTool.Result read = mbpoll("-a", "1", "-t", "4", "-r", "7", "127.0.0.1");
    assertThat(value(read, 7)).isEqualTo("1234");
  }

  @Test
  void burnerCoil_writtenByMbpoll_drivesThePlant() throws Exception {
    plant.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {false});

    mbpoll("-a", "1", "-t", "0", "-r", "3", "127.0.0.1", "1");

    assertThat(plant.burner()).isTrue();
    assertThat(value(mbpoll("-a", "1", "-t", "0", "-r", "3", "127.0.0.1"), 3)).isEqualTo("1");
  }

  @Test
  void reboot_coilReadsZeroAfterwards() throws Exception {
    mbpoll("-a", "1", "-t", "0", "-r", "3", "127.0.0.1", "1");

    site.faults().rebootPlc();

    assertThat(value(mbpoll("-a", "1", "-t", "0", "-r", "3", "127.0.0.1"), 3)).isEqualTo("0");
  }

  @Test
  void watchdog_noWriteForItsTimeout_burnerReadsOff() throws Exception {
    mbpoll("-a", "1", "-t", "4", "-r", "10", "127.0.0.1", "2");
    mbpoll("-a", "1", "-t", "0", "-r", "3", "127.0.0.1", "1");
    try {
      plant.advance(Duration.ofSeconds(2));

      assertThat(value(mbpoll("-a", "1", "-t", "0", "-r", "3", "127.0.0.1"), 3)).isEqualTo("0");
    } finally {
      plant.writeHoldingRegisters(RegisterMap.WATCHDOG_HOLDING_REGISTER, new int[] {0});
    }
  }

  @Test
  void updatePermit_switchedOff_discreteInputReadsZero() throws Exception {
    plant.setUpdatePermit(false);
    try {
      assertThat(value(mbpoll("-a", "1", "-t", "1", "-r", "0", "127.0.0.1"), 0)).isEqualTo("0");
    } finally {
      plant.setUpdatePermit(true);
    }
    assertThat(value(mbpoll("-a", "1", "-t", "1", "-r", "0", "127.0.0.1"), 0)).isEqualTo("1");
  }

  @Test
  void otherUnitId_getsNoAnswer() throws Exception {
    ExternalTool.Result result = mbpoll("-a", "2", "-t", "3", "-r", "0", "127.0.0.1");

    assertThat(result.output()).doesNotContainPattern("(?m)^\\[0\\]:").contains("timed out");
  }

  @Test
  void addressBeyondTheMap_illegalDataAddress() throws Exception {
    ExternalTool.Result result = mbpoll("-a", "1", "-t", "3", "-r", "40", "127.0.0.1");

    assertThat(result.output()).containsIgnoringCase("Illegal data address");
  }

  @Test
  void exceptionFault_onTheTemperature_mbpollSeesThatException() throws Exception {
    site.faults()
        .setModbusException(new ModbusExceptionFault(RegisterTable.INPUT_REGISTER, 0, 1, 4));

    ExternalTool.Result faulty = mbpoll("-a", "1", "-t", "3", "-r", "0", "127.0.0.1");
    ExternalTool.Result unrelated = mbpoll("-a", "1", "-t", "4", "-r", "7", "127.0.0.1");

    assertThat(faulty.output())
        .containsIgnoringCase("failure")
        .doesNotContainPattern("(?m)^\\[0\\]:");
    assertThat(unrelated.output()).containsPattern("(?m)^\\[7\\]:");
  }

  @Test
  void corruptTemperature_readsTheSensorBreakValue() throws Exception {
    site.faults().setCorruptTemperature(true);

    assertThat(value(mbpoll("-a", "1", "-t", "3", "-r", "0", "127.0.0.1"), 0)).isEqualTo("32767");
  }

  @Test
  void corruptFlow_readsNaN() throws Exception {
    site.faults().setCorruptFlow(true);

    String flow = value(mbpoll("-a", "1", "-t", "3:float", "-B", "-r", "2", "127.0.0.1"), 2);
    assertThat(flow).isEqualToIgnoringCase("nan");
  }

  @Test
  void offline_mbpollCannotRead_andOnlineAgainItCan() throws Exception {
    site.faults().setModbusOffline(true);
    ExternalTool.Result offline = mbpoll("-a", "1", "-t", "3", "-r", "0", "127.0.0.1");
    site.faults().setModbusOffline(false);
    ExternalTool.Result online = mbpoll("-a", "1", "-t", "3", "-r", "0", "127.0.0.1");

    assertThat(offline.output()).doesNotContainPattern("(?m)^\\[0\\]:");
    assertThat(online.output()).containsPattern("(?m)^\\[0\\]:");
  }

  @Test
  void slowResponses_longerThanTheMastersTimeout_timeOut() throws Exception {
    site.faults().setResponseDelay(Duration.ofSeconds(2));
    ExternalTool.Result slow =
        ExternalTool.run(
            LIMIT,
            "mbpoll",
            "-m",
            "tcp",
            "-0",
            "-1",
            "-o",
            "0.5",
            "-p",
            String.valueOf(site.modbusSocketAddress().getPort()),
            "-a",
            "1",
            "-t",
            "3",
            "-r",
            "0",
            "127.0.0.1");

    assertThat(slow.output()).contains("timed out").doesNotContainPattern("(?m)^\\[0\\]:");
  }
}
