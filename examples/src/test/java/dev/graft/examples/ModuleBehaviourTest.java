package dev.graft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the built thermostat and boiler-control modules do when a host ticks them, checked under
 * Node.js: the control decisions, the self-test, the state handover between releases, and the
 * deliberate fault in 1.2. Point 2 is the output in both modules; the others are temp, setpoint.
 */
class ModuleBehaviourTest {

  private static final String ON = "{\"rc\":0,\"sets\":[[2,1]]}";
  private static final String OFF = "{\"rc\":0,\"sets\":[[2,0]]}";
  private static final String INIT = "{\"op\":\"init\"}";
  private static final String SAVE = "{\"op\":\"save\"}";

  @BeforeAll
  static void needsNode() {
    NodeDriver.assumeNode("ModuleBehaviourTest");
  }

  @Test
  void thermostat_temperatureAcrossTheBand_switchesWithHysteresis() {
    String output =
        NodeDriver.drive(
            "thermostat",
            steps(
                INIT,
                tick(0, 19.0, 20.0),
                tick(100, 20.3, 20.0), // inside the band: stays on
                tick(200, 20.6, 20.0),
                tick(300, 19.8, 20.0), // inside the band: stays off
                tick(400, 19.0, 20.0),
                badTick(500, 10.0, 20.0))); // untrusted reading: off, however cold

    assertThat(output).startsWith(results("{\"rc\":0}", ON, ON, OFF, OFF, ON, OFF));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "1.1", "1.2"})
  void boilerControl_selfTest_passes(String version) {
    String output =
        NodeDriver.drive("boiler-control-" + version, steps(INIT, "{\"op\":\"self_test\"}"));

    assertThat(output).startsWith(results("{\"rc\":0}", "{\"rc\":0}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "1.1"})
  void boilerControl_coldHotOverLimitAndBadReading_decideTheBurner(String version) {
    String output =
        NodeDriver.drive(
            "boiler-control-" + version,
            steps(
                INIT,
                tick(0, 20.0, 60.0),
                tick(100, 70.0, 60.0),
                tick(200, 95.0, 200.0), // above the 90 °C high limit: off whatever the loop says
                badTick(300, 20.0, 60.0)));

    assertThat(output).startsWith(results("{\"rc\":0}", ON, OFF, OFF, OFF));
  }

  @Test
  void boilerControl_release11_isTunedHarderThan10() {
    // error 5 °C on a first tick: 1.0's duty ≈ 0.40 of the 5 s window, 1.1's ≈ 0.60;
    // 2.5 s into the window only 1.1 still fires
    String steps = steps(INIT, tick(2500, 55.0, 60.0));

    assertThat(NodeDriver.drive("boiler-control-1.0", steps)).contains(OFF);
    assertThat(NodeDriver.drive("boiler-control-1.1", steps)).contains(ON);
  }

  @Test
  void boilerControl_release12_trapsAfterHundredTicksWhere11RunsOn() {
    List<String> steps = new ArrayList<>(List.of(INIT));
    for (int i = 0; i < 101; i++) {
      steps.add(tick(100L * i, 59.0, 60.0));
    }
    String faulty = NodeDriver.drive("boiler-control-1.2", steps(steps.toArray(String[]::new)));
    String sound = NodeDriver.drive("boiler-control-1.1", steps(steps.toArray(String[]::new)));

    assertThat(faulty).contains("\"trap\":\"RuntimeError: unreachable\"");
    assertThat(faulty.split("\"rc\":0,\"sets\"", -1)).hasSize(101); // 100 good ticks, then the trap
    assertThat(sound).doesNotContain("trap");
    assertThat(sound.split("\"rc\":0,\"sets\"", -1)).hasSize(102);
  }

  @Test
  void boilerControl_stateFrom10_isTakenOverBy11() {
    String v1 =
        NodeDriver.blobs(
                NodeDriver.drive(
                    "boiler-control-1.0",
                    steps(INIT, tick(0, 50.0, 60.0), tick(100, 52.0, 60.0), SAVE)))
            .getFirst();
    String carried =
        NodeDriver.drive("boiler-control-1.1", steps(INIT, load(v1), SAVE, tick(200, 52, 60)));
    String v2 = NodeDriver.blobs(carried).getFirst();

    assertThat(version(v1)).isEqualTo(1);
    assertThat(carried).contains("{\"rc\":0},{\"blob\"").contains("state taken over");
    assertThat(version(v2)).isEqualTo(2);
    // integrator and last error survive the swap bit for bit
    assertThat(v2.substring(16, 48)).isEqualTo(v1.substring(16, 48)).isNotEqualTo("0".repeat(32));
  }

  @Test
  void boilerControl_stateFrom11_isRefusedBy10() {
    String v2 =
        NodeDriver.blobs(NodeDriver.drive("boiler-control-1.1", steps(INIT, tick(0, 50, 60), SAVE)))
            .getFirst();

    String output = NodeDriver.drive("boiler-control-1.0", steps(INIT, load(v2)));

    assertThat(output).startsWith(results("{\"rc\":0}", "{\"rc\":2}")); // unsupported version
    assertThat(output).contains("handed-over state refused");
  }

  @Test
  void boilerControl_foreignOrOversizedBlob_isRefused() {
    String v1 =
        NodeDriver.blobs(NodeDriver.drive("boiler-control-1.0", steps(INIT, tick(0, 50, 60), SAVE)))
            .getFirst();
    String foreign = "00" + v1.substring(2);

    String output =
        NodeDriver.drive(
            "boiler-control-1.1",
            steps(INIT, load(foreign), load(v1.substring(0, 40)), load("ab".repeat(100))));

    // bad magic, wrong length for v1, larger than graft_alloc hands out
    assertThat(output)
        .startsWith(results("{\"rc\":0}", "{\"rc\":1}", "{\"rc\":3}", "{\"alloc\":0}"));
  }

  private static int version(String blobHex) {
    return Integer.parseInt(blobHex.substring(8, 10), 16); // little-endian; versions are small
  }

  private static String steps(String... steps) {
    return "[" + String.join(",", steps) + "]";
  }

  private static String results(String... results) {
    return "{\"results\":[" + String.join(",", results) + "]";
  }

  private static String tick(long now, double temp, double setpoint) {
    return "{\"op\":\"tick\",\"now\":%d,\"values\":[%s,%s,0],\"quality\":[0,0,0]}"
        .formatted(now, temp, setpoint);
  }

  private static String badTick(long now, double temp, double setpoint) {
    return "{\"op\":\"tick\",\"now\":%d,\"values\":[%s,%s,0],\"quality\":[2,0,0]}"
        .formatted(now, temp, setpoint);
  }

  private static String load(String blobHex) {
    return "{\"op\":\"load\",\"blob\":\"" + blobHex + "\"}";
  }
}
