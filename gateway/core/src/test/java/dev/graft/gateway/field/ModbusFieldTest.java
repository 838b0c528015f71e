package dev.graft.gateway.field;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.digitalpetri.modbus.FunctionCode;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Field I/O against a real Modbus TCP server (digitalpetri's) on a loopback port. */
class ModbusFieldTest {
  private static final int READ_IR = FunctionCode.READ_INPUT_REGISTERS.getCode();
  private static final int WRITE_REGISTER = FunctionCode.WRITE_SINGLE_REGISTER.getCode();
  private static final int WRITE_COIL = FunctionCode.WRITE_SINGLE_COIL.getCode();

  // points: 0 temp (IR 0, int16 × 0.1), 1 flow (IR 2–3, float32), 2 level (IR 10, uint16),
  // 3 vent (coil 4, out, safe 1), 4 limit (HR 10, out, hold, safe 5), 5 typed (HR 30, in,
  // mbpoll writes it), 6 flowset (HR 20–21, out, float32, low word first)
  private static final String POINTS =
      """
      [
        {"name": "temp", "dir": "in", "device": "plc",
         "modbus": {"table": "input_register", "address": 0, "type": "int16", "scale": 0.1}},
        {"name": "flow", "dir": "in", "device": "plc",
         "modbus": {"table": "input_register", "address": 2, "type": "float32"}},
        {"name": "level", "dir": "in", "device": "plc",
         "modbus": {"table": "input_register", "address": 10, "type": "uint16",
                    "scale": 0.5, "offset": -10}},
        {"name": "vent", "dir": "out", "device": "plc", "modbus": {"table": "coil", "address": 4}},
        {"name": "limit", "dir": "out", "device": "plc",
         "modbus": {"table": "holding_register", "address": 10}},
        {"name": "typed", "dir": "in", "device": "plc",
         "modbus": {"table": "holding_register", "address": 30, "type": "int16"}},
        {"name": "flowset", "dir": "out", "device": "plc",
         "modbus": {"table": "holding_register", "address": 20, "type": "float32",
                    "scale": 0.5, "offset": 1, "word_order": "little"}}
      ]
      """;

  private ModbusTestServer server;
  private FieldSite site;

  @BeforeEach
  void startServer() throws Exception {
    server = new ModbusTestServer();
  }

  @AfterEach
  void stopAll() throws Exception {
    if (site != null) {
      site.close();
    }
    server.close();
  }

  static Grant grant(String address) {
    return Grant.parse(grantYaml(address).getBytes(StandardCharsets.UTF_8));
  }

  static String grantYaml(String address) {
    return """
    devices:
      plc:
        address: %s
        modbus:
          - {table: input_register, from: 0, to: 20, access: read}
          - {table: discrete_input, from: 0, to: 7, access: read}
          - {table: coil, from: 0, to: 7, access: read_write}
          - {table: holding_register, from: 0, to: 40, access: read_write}
    ceilings:
      memory_pages: 16
      tick_budget_us: 5000
      min_tick_ms: 10
      init_budget_ms: 500
      self_test_budget_ms: 2000
    outputs:
      - {device: plc, table: coil, address: 4, min: 0, max: 1, safe: 1, fault: safe}
      - {device: plc, table: holding_register, address: 10, min: 0, max: 100, safe: 5,
         fault: hold}
      - {device: plc, table: holding_register, address: 20, min: 0, max: 1000, safe: 0,
         fault: hold}
    watch: {window_s: 60, fault_limit: 0}
    rollback: auto
    update_permit: {device: plc, table: discrete_input, address: 0}
    """
        .formatted(address);
  }

  static Manifest manifest(String points) {
    String json =
        """
        {"abi": "graft/1", "name": "field-test", "version": "1.0.0",
         "module": {"sha256": "%s"},
         "tick_ms": 50, "limits": {"memory_pages": 1, "tick_budget_us": 1000},
         "points": %s}
        """
            .formatted("0".repeat(64), points);
    return Manifest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static FieldOptions options(int maxGap, Duration rewrite) {
    return new FieldOptions(
        Duration.ofMillis(30),
        Map.of(),
        Duration.ofSeconds(2),
        Duration.ofMillis(50),
        Duration.ofMillis(400),
        maxGap,
        Duration.ofSeconds(5),
        rewrite);
  }

  /** Opens the site and binds a port; returns once the link is up, so writes reach the device. */
  private FieldPort open(int maxGap, Duration rewrite) {
    site = FieldSite.open(grant(server.address()), options(maxGap, rewrite), Credentials.none());
    FieldPort port = site.bind(manifest(POINTS));
    Await.until("link up", () -> site.status("plc").up());
    return port;
  }

  private static SortedMapBuilder out() {
    return new SortedMapBuilder();
  }

  /** Tiny builder for a tick's outputs. */
  static final class SortedMapBuilder {
    final TreeMap<Integer, Double> map = new TreeMap<>();

    SortedMapBuilder set(int index, double value) {
      map.put(index, value);
      return this;
    }
  }

  private void fillInputs() {
    server.inputRegisters.set(0, 0xFF38); // -20.0 °C after × 0.1
    int flow = Float.floatToIntBits(12.5f);
    server.inputRegisters.set(2, flow >>> 16);
    server.inputRegisters.set(3, flow & 0xffff);
    server.inputRegisters.set(10, 300); // 300 × 0.5 − 10 = 140
  }

  @Test
  void snapshot_polledInputs_decodedGood() {
    fillInputs();
    FieldPort port = open(4, Duration.ofHours(1));

    Await.until("inputs good", () -> port.snapshot().quality(2) == ProcessImage.GOOD);
    ProcessImage image = port.snapshot();
    assertThat(image.value(0)).isCloseTo(-20.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(image.value(1)).isEqualTo(12.5);
    assertThat(image.value(2)).isEqualTo(140.0);
    assertThat(image.quality(0)).isEqualTo(ProcessImage.GOOD);
    assertThat(image.quality(1)).isEqualTo(ProcessImage.GOOD);
  }

  @Test
  void poll_float32NaNOrInfinity_badLikeCoap() {
    fillInputs();
    FieldPort port = open(4, Duration.ofHours(1));
    Await.until("flow good", () -> port.snapshot().quality(1) == ProcessImage.GOOD);

    int nan = Float.floatToIntBits(Float.NaN);
    server.inputRegisters.set(2, nan >>> 16);
    server.inputRegisters.set(3, nan & 0xffff);
    Await.until("NaN flow bad", () -> port.snapshot().quality(1) == ProcessImage.BAD);
    assertThat(port.snapshot().value(1)).as("the last good value is kept").isEqualTo(12.5);
    assertThat(port.snapshot().quality(0)).isEqualTo(ProcessImage.GOOD);

    int flow = Float.floatToIntBits(13.5f);
    server.inputRegisters.set(2, flow >>> 16);
    server.inputRegisters.set(3, flow & 0xffff);
    Await.until("flow good again", () -> port.snapshot().quality(1) == ProcessImage.GOOD);
    int infinity = Float.floatToIntBits(Float.NEGATIVE_INFINITY);
    server.inputRegisters.set(2, infinity >>> 16);
    server.inputRegisters.set(3, infinity & 0xffff);
    Await.until("infinite flow bad", () -> port.snapshot().quality(1) == ProcessImage.BAD);
  }

  @Test
  void poll_gapWiderThanLimit_splitsReadAtTheGap() {
    fillInputs();
    FieldPort port = open(4, Duration.ofHours(1));

    // IR 0–3 are mapped, 4–9 are not (6 addresses > 4): two reads
    Await.until("a few polls", () -> server.count(READ_IR) >= 6);
    assertThat(port.snapshot().quality(2)).isNotEqualTo(ProcessImage.STALE);
    List<ModbusTestServer.Request> reads = server.requests(READ_IR);
    assertThat(reads)
        .extracting(r -> r.address() + "+" + r.quantity())
        .containsOnly("0+4", "10+1")
        .contains("0+4", "10+1");
  }

  @Test
  void poll_gapWithinLimit_oneReadAcrossIt() {
    fillInputs();
    open(8, Duration.ofHours(1));

    Await.until("a few polls", () -> server.count(READ_IR) >= 3);
    assertThat(server.requests(READ_IR))
        .extracting(r -> r.address() + "+" + r.quantity())
        .containsOnly("0+11");
  }

  @Test
  void poll_gapOutsideTheGrant_neverReadAcrossIt() {
    fillInputs();
    // IR 4–9 are not granted: a read across them would touch registers the operator withheld
    String yaml =
        grantYaml(server.address())
            .replace(
                "- {table: input_register, from: 0, to: 20, access: read}",
                "- {table: input_register, from: 0, to: 3, access: read}\n"
                    + "      - {table: input_register, from: 10, to: 20, access: read}");
    site =
        FieldSite.open(
            Grant.parse(yaml.getBytes(StandardCharsets.UTF_8)),
            options(8, Duration.ofHours(1)),
            Credentials.none());
    FieldPort port = site.bind(manifest(POINTS));

    Await.until("a few polls", () -> server.count(READ_IR) >= 6);
    Await.until("level good", () -> port.snapshot().quality(2) == ProcessImage.GOOD);
    assertThat(server.requests(READ_IR))
        .extracting(r -> r.address() + "+" + r.quantity())
        .containsOnly("0+4", "10+1");
  }

  @Test
  void poll_exceptionOnOneRead_onlyThatReadsPointsBad() {
    fillInputs();
    server.brokenInputRegisters.add(10);
    FieldPort port = open(4, Duration.ofHours(1));

    Await.until("temp and flow good", () -> port.snapshot().quality(1) == ProcessImage.GOOD);
    Await.until("several polls", () -> server.count(READ_IR) >= 6);
    ProcessImage image = port.snapshot();
    assertThat(image.quality(0)).isEqualTo(ProcessImage.GOOD);
    assertThat(image.quality(1)).isEqualTo(ProcessImage.GOOD);
    assertThat(image.quality(2)).isEqualTo(ProcessImage.BAD);
    assertThat(site.status("plc").up()).isTrue();

    server.brokenInputRegisters.clear();
    Await.until("level good again", () -> port.snapshot().quality(2) == ProcessImage.GOOD);
    assertThat(port.snapshot().value(2)).isEqualTo(140.0);
  }

  @Test
  void snapshot_noPollForLongerThanStaleAge_stale() {
    fillInputs();
    FieldOptions slow =
        new FieldOptions(
            Duration.ofMillis(30),
            Map.of("plc", Duration.ofSeconds(3)),
            Duration.ofSeconds(2),
            Duration.ofMillis(50),
            Duration.ofMillis(400),
            4,
            Duration.ofMillis(300),
            Duration.ofHours(1));
    site = FieldSite.open(grant(server.address()), slow, Credentials.none());
    FieldPort port = site.bind(manifest(POINTS));

    // polled every 3 s, stale 0.3 s after each poll: most of the time the value is stale
    Await.until("stale", () -> port.snapshot().quality(0) == ProcessImage.STALE);
    assertThat(port.snapshot().value(0))
        .isCloseTo(-20.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void link_serverStoppedAndRestarted_badThenGoodAndOutputsRewritten() throws Exception {
    fillInputs();
    FieldPort port = open(4, Duration.ofHours(1));
    Await.until("connected", () -> port.snapshot().quality(0) == ProcessImage.GOOD);
    port.write(out().set(3, 0).set(4, 42).map);
    Await.until("outputs written", () -> server.holdingRegisters.get(10) == 42);
    Await.until("vent written", () -> server.coils.get(4) == 0);

    server.stop();
    Await.until("inputs bad", () -> port.snapshot().quality(0) == ProcessImage.BAD);
    assertThat(site.status("plc").up()).isFalse();
    assertThat(port.snapshot().quality(3)).isEqualTo(ProcessImage.BAD);

    // while the link is down the outputs stay at their fault policy, whatever the module says
    port.write(out().set(3, 0).set(4, 43).map);
    assertThat(port.snapshot().value(3)).isEqualTo(1.0);
    assertThat(port.snapshot().value(4)).isEqualTo(42.0);

    // the device reboots: it forgot its outputs
    server.forgetOutputs();
    long connectsBefore = site.status("plc").connects();
    server.start();
    Await.until("inputs good again", () -> port.snapshot().quality(0) == ProcessImage.GOOD);
    assertThat(site.status("plc").connects()).isGreaterThan(connectsBefore);
    // hold output: its last value is written again; safe output: the link loss put it safe
    Await.until("hold output rewritten", () -> server.holdingRegisters.get(10) == 42);
    Await.until("safe output at safe value", () -> server.coils.get(4) == 1);
    assertThat(port.snapshot().value(3)).isEqualTo(1.0);

    // the module's next change is written as usual
    port.write(out().set(3, 0).map);
    Await.until("module drives vent again", () -> server.coils.get(4) == 0);
  }

  @Test
  void poll_deviceSlowerThanRequestTimeout_badUntilItAnswersInTimeAgain() {
    fillInputs();
    FieldPort port = open(4, Duration.ofHours(1));
    Await.until("good", () -> port.snapshot().quality(0) == ProcessImage.GOOD);

    // the request timeout is 2 s; the device now takes 4 s
    server.inputRegisterDelayMs = 4_000;
    Await.until("bad after a timeout", () -> port.snapshot().quality(0) == ProcessImage.BAD);
    assertThat(site.status("plc").failedAttempts()).isPositive();

    server.inputRegisterDelayMs = 0;
    Await.until("good again", () -> port.snapshot().quality(0) == ProcessImage.GOOD);
  }

  @Test
  void write_unchangedValue_writtenOnce() {
    FieldPort port = open(4, Duration.ofHours(1));
    Await.until("connected", () -> site.status("plc").up());

    port.write(out().set(4, 7).map);
    Await.until("7 written", () -> server.holdingRegisters.get(10) == 7);
    for (int i = 0; i < 50; i++) {
      port.write(out().set(4, 7).map);
    }
    port.write(out().set(4, 8).map);
    Await.until("8 written", () -> server.holdingRegisters.get(10) == 8);

    List<Integer> values =
        server.requests(WRITE_REGISTER).stream()
            .filter(r -> r.address() == 10)
            .map(ModbusTestServer.Request::value)
            .toList();
    assertThat(values).endsWith(7, 8);
    assertThat(values).containsOnlyOnce(7);
  }

  @Test
  void write_float32LittleWordOrder_oneMultipleRegistersWrite() {
    FieldPort port = open(4, Duration.ofHours(1));

    // 26 in module units = (26 − 1) / 0.5 = 50.0 raw, low word at the lower address
    port.write(out().set(6, 26).map);

    int bits = Float.floatToIntBits(50.0f);
    Await.until(
        "float written",
        () ->
            server.holdingRegisters.get(20) == (bits & 0xffff)
                && server.holdingRegisters.get(21) == bits >>> 16);
    assertThat(server.requests(FunctionCode.WRITE_MULTIPLE_REGISTERS.getCode()))
        .anyMatch(r -> r.address() == 20 && r.quantity() == 2);
    assertThat(port.snapshot().value(6)).isEqualTo(26.0);
  }

  @Test
  void write_rewritePeriod_rewritesUnchangedOutputs() {
    FieldPort port = open(4, Duration.ofMillis(50));
    port.write(out().set(4, 7).map);

    Await.until(
        "7 written several times",
        () ->
            server.requests(WRITE_REGISTER).stream()
                    .filter(r -> r.address() == 10 && r.value() == 7)
                    .count()
                >= 4);
  }

  @Test
  void write_valueOutsideGrant_notWritten() {
    FieldPort port = open(4, Duration.ofHours(1));
    Await.until("connected", () -> site.status("plc").up());

    port.write(out().set(4, 101).set(0, 3).map);
    port.write(out().set(4, 9).map);
    Await.until("9 written", () -> server.holdingRegisters.get(10) == 9);

    assertThat(server.requests(WRITE_REGISTER))
        .extracting(ModbusTestServer.Request::value)
        .doesNotContain(101);
    assertThat(FieldSite.refusedWrites(port)).isEqualTo(2);
  }

  @Test
  void bind_freshOutputs_putToFaultPolicyBeforeFirstTick() {
    server.holdingRegisters.set(10, 77);
    FieldPort port = open(4, Duration.ofHours(1));

    // vent: safe 1; limit: hold, but nothing to hold yet, so its safe value 5
    Await.until("safe values written", () -> server.coils.get(4) == 1);
    Await.until("hold output at safe", () -> server.holdingRegisters.get(10) == 5);
    assertThat(port.snapshot().value(4)).isEqualTo(5.0);
  }

  @Test
  void bind_secondPortWhileFirstDrives_outputsNotReset() {
    FieldPort first = open(4, Duration.ofHours(1));
    first.write(out().set(3, 0).set(4, 60).map);
    Await.until("first drives", () -> server.holdingRegisters.get(10) == 60);
    Await.until("vent driven", () -> server.coils.get(4) == 0);
    int requestsBefore = server.requests.size();

    FieldPort second = site.bind(manifest(POINTS));
    first.close();
    Await.until("second port reads", () -> second.snapshot().quality(0) == ProcessImage.GOOD);

    assertThat(second.snapshot().value(4)).isEqualTo(60.0);
    assertThat(server.coils.get(4)).isZero();
    List<ModbusTestServer.Request> after = List.copyOf(server.requests);
    // binding the second port wrote no fault-policy values (coil 4 → 1, register 10 → 5)
    assertThat(after.subList(requestsBefore, after.size()))
        .noneMatch(r -> r.function() == WRITE_COIL && r.value() == 1)
        .noneMatch(r -> r.function() == WRITE_REGISTER && r.value() == 5);
    second.write(out().set(4, 61).map);
    Await.until("second drives", () -> server.holdingRegisters.get(10) == 61);
  }

  @Test
  void applyFaultPolicy_safeOutputsSafeHoldOutputsKept() {
    FieldPort port = open(4, Duration.ofHours(1));
    port.write(out().set(3, 0).set(4, 33).map);
    Await.until("driven", () -> server.coils.get(4) == 0 && server.holdingRegisters.get(10) == 33);

    port.applyFaultPolicy("trap in tick 12");

    Await.until("vent safe", () -> server.coils.get(4) == 1);
    assertThat(server.holdingRegisters.get(10)).isEqualTo(33);
  }

  @Test
  void close_site_appliesFaultPolicyBeforeClosingLinks() {
    FieldPort port = open(4, Duration.ofHours(1));
    port.write(out().set(3, 0).set(4, 33).map);
    Await.until("driven", () -> server.coils.get(4) == 0 && server.holdingRegisters.get(10) == 33);

    site.close();

    assertThat(server.coils.get(4)).isEqualTo(1);
    assertThat(server.holdingRegisters.get(10)).isEqualTo(33);
    long requests = server.requests.size();
    // the links are closed: nothing more reaches the device
    Await.until(
        "a moment passes",
        () -> {
          try {
            TimeUnit.MILLISECONDS.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return true;
        });
    assertThat(server.requests.size()).isEqualTo(requests);
  }

  @Test
  void close_afterFaultPolicy_theQueuedSafeValueStillReachesTheDevice() {
    FieldPort port = open(4, Duration.ofHours(1));
    port.write(out().set(3, 0).set(4, 33).map);
    Await.until("driven", () -> server.coils.get(4) == 0 && server.holdingRegisters.get(10) == 33);

    // what the scan loop did on a normal shutdown: the queued write used to be dropped
    port.applyFaultPolicy("scan loop stopped");
    port.close();

    Await.until("burner coil safe", () -> server.coils.get(4) == 1);
  }

  @Test
  void stop_shutdown_eachFaultPolicyValueAcknowledgedBeforeItReturns() {
    FieldPort port = open(4, Duration.ofHours(1));
    port.write(out().set(3, 0).set(4, 33).map);
    Await.until("driven", () -> server.coils.get(4) == 0 && server.holdingRegisters.get(10) == 33);

    List<String> undriven = port.stop("scan loop stopped");

    assertThat(undriven).isEmpty();
    assertThat(server.coils.get(4)).as("safe").isEqualTo(1);
    assertThat(server.holdingRegisters.get(10)).as("hold").isEqualTo(33);
  }

  @Test
  void stopSafe_holdOutputsToo_everyOutputAtItsSafeValueAcknowledged() {
    FieldPort port = open(4, Duration.ofHours(1));
    port.write(out().set(3, 0).set(4, 33).map);
    Await.until("driven", () -> server.coils.get(4) == 0 && server.holdingRegisters.get(10) == 33);

    List<String> undriven = port.stopSafe("failed its watch (rollback mode safe)");

    assertThat(undriven).isEmpty();
    assertThat(server.coils.get(4)).as("safe").isEqualTo(1);
    assertThat(server.holdingRegisters.get(10))
        .as("safe, although its fault policy is hold")
        .isEqualTo(5);
  }

  @Test
  void stop_deviceUnreachable_reportsEveryOutputItCouldNotDrive() throws Exception {
    FieldPort port = open(4, Duration.ofHours(1));
    server.stop();
    Await.until("link down", () -> !site.status("plc").up());

    List<String> undriven = port.stop("scan loop stopped");

    assertThat(undriven)
        .containsExactlyInAnyOrder(
            "plc coil 4", "plc holding_register 10", "plc holding_register 20");
  }

  @Test
  void close_swapToAModuleWithoutAnOutput_thatOutputGoesToItsSafeValue() {
    FieldPort first = open(4, Duration.ofMillis(50));
    first.write(out().set(3, 0).set(4, 60).map);
    Await.until("driven", () -> server.coils.get(4) == 0 && server.holdingRegisters.get(10) == 60);

    // the next module declares neither vent (coil 4, safe 1) nor limit (HR 10, hold, safe 5)
    FieldPort second =
        site.bind(
            manifest(
                """
                [{"name": "temp", "dir": "in", "device": "plc",
                  "modbus": {"table": "input_register", "address": 0, "type": "int16"}}]
                """));
    assertThat(site.orphanedOutputs(first, second))
        .containsExactly("plc coil 4", "plc holding_register 10", "plc holding_register 20");
    first.close();

    Await.until("orphaned vent safe", () -> server.coils.get(4) == 1);
    Await.until("orphaned limit safe, hold or not", () -> server.holdingRegisters.get(10) == 5);
    // and nobody drives them any more: no rewrite follows
    long writes = server.count(WRITE_COIL);
    long rewrites = server.count(WRITE_REGISTER);
    Await.until(
        "the rewrite period passes a few times",
        () -> {
          try {
            TimeUnit.MILLISECONDS.sleep(300);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return true;
        });
    assertThat(server.count(WRITE_COIL)).isEqualTo(writes);
    assertThat(server.count(WRITE_REGISTER)).isEqualTo(rewrites);
    second.close();
  }

  @Test
  void close_swapToAModuleWithAnotherEncoding_itsEncodingFromTheFirstTick() {
    FieldPort first = open(4, Duration.ofHours(1));
    // 26 in the old module's units = raw 50.0, low word first
    first.write(out().set(6, 26).map);
    int fifty = Float.floatToIntBits(50.0f);
    Await.until(
        "old encoding",
        () ->
            server.holdingRegisters.get(20) == (fifty & 0xffff)
                && server.holdingRegisters.get(21) == fifty >>> 16);

    // the next module declares the same register high word first, without scale and offset
    FieldPort second =
        site.bind(
            manifest(
                POINTS.replace(
                    "\"scale\": 0.5, \"offset\": 1, \"word_order\": \"little\"",
                    "\"word_order\": \"big\"")));
    first.close();

    // the value held across the swap is rewritten in the new module's word order at once
    Await.until(
        "held value, new encoding",
        () ->
            server.holdingRegisters.get(20) == fifty >>> 16
                && server.holdingRegisters.get(21) == (fifty & 0xffff));
    assertThat(second.snapshot().value(6)).isEqualTo(50.0);
    second.write(out().set(6, 30).map);
    int thirty = Float.floatToIntBits(30.0f);
    Await.until(
        "the new module's value, its encoding",
        () ->
            server.holdingRegisters.get(20) == thirty >>> 16
                && server.holdingRegisters.get(21) == (thirty & 0xffff));
  }

  @Test
  void closePort_stopsPollingItsPoints() {
    fillInputs();
    FieldPort port = open(4, Duration.ofHours(1));
    Await.until("polled", () -> server.count(READ_IR) >= 2);

    port.close();
    long reads = server.count(READ_IR);
    // the permit input keeps its own poll going; wait for a few of those
    long permitReads = server.count(FunctionCode.READ_DISCRETE_INPUTS.getCode());
    Await.until(
        "more permit polls",
        () -> server.count(FunctionCode.READ_DISCRETE_INPUTS.getCode()) >= permitReads + 3);

    assertThat(server.count(READ_IR)).isLessThanOrEqualTo(reads + 1);
  }

  @Test
  void updatePermitted_followsTheGrantsPermitInput() {
    FieldPort port = open(4, Duration.ofHours(1));
    assertThat(port.updatePermitted()).isFalse();

    server.discreteInputs.set(0, 1);
    Await.until("permitted", port::updatePermitted);
    server.discreteInputs.set(0, 0);
    Await.until("not permitted", () -> !port.updatePermitted());
  }

  @Test
  void bind_pointOnUnknownDevice_refusedAndSiteUnchanged() {
    FieldPort port = open(4, Duration.ofHours(1));
    String bad =
        POINTS.replace(
            "\"typed\", \"dir\": \"in\", \"device\": \"plc\"",
            "\"typed\", \"dir\": \"in\", \"device\": \"nowhere\"");
    assertThat(bad).isNotEqualTo(POINTS);

    assertThatThrownBy(() -> site.bind(manifest(bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("point 'typed' names device 'nowhere', not in the grant");
    fillInputs();
    Await.until("first port still works", () -> port.snapshot().quality(0) == ProcessImage.GOOD);
  }

  @Test
  void mbpoll_writesHoldingRegister_graftReadsIt() throws Exception {
    FieldPort port = open(4, Duration.ofHours(1));

    Process mbpoll =
        new ProcessBuilder(
                "mbpoll",
                "-m",
                "tcp",
                "-a",
                "1",
                "-t",
                "4",
                "-r",
                "31",
                "-p",
                Integer.toString(server.port),
                "127.0.0.1",
                "1234")
            .redirectErrorStream(true)
            .start();
    String output = new String(mbpoll.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(mbpoll.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(mbpoll.exitValue()).as(output).isZero();

    // mbpoll's reference 31 is PDU address 30 (it counts from 1)
    Await.until("Graft reads what mbpoll wrote", () -> port.snapshot().value(5) == 1234.0);
    assertThat(port.snapshot().quality(5)).isEqualTo(ProcessImage.GOOD);
  }
}
