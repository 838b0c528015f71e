package dev.graft.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.policies.Grant.Access;
import dev.graft.policies.Grant.FaultPolicy;
import dev.graft.policies.Grant.ModbusRange;
import dev.graft.policies.Grant.RollbackMode;
import dev.graft.policies.Grant.Transport;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrantTest {
  static final Path SITE = Path.of("examples/boiler-site.yaml");

  static String site() throws IOException {
    return Files.readString(SITE);
  }

  static Grant parse(String yaml) {
    return Grant.parse(yaml.getBytes(StandardCharsets.UTF_8));
  }

  static Grant parseSiteWith(String from, String to) throws IOException {
    String yaml = site();
    assertThat(yaml).contains(from);
    return parse(yaml.replace(from, to));
  }

  @Test
  void parse_siteExample_readsEveryField() throws IOException {
    Grant grant = parse(site());

    assertThat(grant.devices()).containsOnlyKeys("boiler-plc", "thermostat");
    Grant.Device plc = grant.devices().get("boiler-plc");
    assertThat(plc.address()).isEqualTo(URI.create("modbus-tcp://10.0.0.5:502?unit=1"));
    assertThat(plc.transport()).isEqualTo(Transport.MODBUS_TCP);
    assertThat(plc.credential()).isNull();
    assertThat(plc.modbus())
        .contains(new ModbusRange(ModbusTable.COIL, 0, 7, Access.READ_WRITE))
        .hasSize(3);
    Grant.Device thermostat = grant.devices().get("thermostat");
    assertThat(thermostat.transport()).isEqualTo(Transport.COAPS);
    assertThat(thermostat.credential()).isEqualTo("thermostat-psk");
    assertThat(thermostat.coap())
        .containsExactly(new Grant.CoapResource("/setpoint", List.of(CoapMethod.GET)));
    assertThat(grant.ceilings()).isEqualTo(new Grant.Ceilings(16, 5000, 50, 500, 2000));
    assertThat(grant.outputs())
        .containsExactly(
            new Grant.Output(
                "boiler-plc",
                new Grant.Target.Register(ModbusTable.COIL, 3),
                BigDecimal.ZERO,
                BigDecimal.ONE,
                BigDecimal.ZERO,
                FaultPolicy.SAFE));
    assertThat(grant.watch())
        .isEqualTo(
            new Grant.Watch(
                600,
                0,
                new Condition.Comparison("temp", Condition.Operator.LT, new BigDecimal("95"))));
    assertThat(grant.rollback()).isEqualTo(RollbackMode.AUTO);
    assertThat(grant.swap())
        .isEqualTo(
            new Grant.Swap(
                new Condition.Comparison("burner", Condition.Operator.EQ, BigDecimal.ZERO), 900));
    assertThat(grant.updatePermit())
        .isEqualTo(new Grant.UpdatePermit("boiler-plc", ModbusTable.DISCRETE_INPUT, 0));
  }

  @Test
  void parse_unknownKey_refusedWithLineColumnAndPath() throws IOException {
    assertThatThrownBy(
            () -> parseSiteWith("  min_tick_ms: 50\n", "  min_tick_ms: 50\n  max_tick_ms: 9\n"))
        .isInstanceOf(GrantException.class)
        .isInstanceOf(PolicyViolationException.class)
        .hasMessage(
            "grant line 18, column 3, ceilings.max_tick_ms: unknown member 'max_tick_ms'; allowed:"
                + " memory_pages, tick_budget_us, min_tick_ms, init_budget_ms, self_test_budget_ms, table_entries, element_entries, globals, functions");
  }

  @Test
  void parse_structureCeilings_readWhenGivenDefaultedOtherwise() throws IOException {
    Grant grant =
        parseSiteWith(
            "  min_tick_ms: 50\n",
            "  min_tick_ms: 50\n  table_entries: 64\n  element_entries: 32\n  globals: 16\n"
                + "  functions: 200\n");

    assertThat(grant.ceilings())
        .isEqualTo(new Grant.Ceilings(16, 5000, 50, 500, 2000, 64, 32, 16, 200));
    assertThat(
            parseSiteWith("  min_tick_ms: 50\n", "  min_tick_ms: 50\n").ceilings().tableEntries())
        .isEqualTo(Grant.Ceilings.DEFAULT_TABLE_ENTRIES);
    assertThatThrownBy(
            () -> parseSiteWith("  min_tick_ms: 50\n", "  min_tick_ms: 50\n  functions: 0\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageContaining("ceilings.functions");
  }

  @Test
  void parse_yamlSyntaxError_namesLineAndProblemWithoutTheParsersSourceExcerpt() {
    assertThatThrownBy(() -> parse("devices:\n  plc: {address: \"modbus-tcp://h\",\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageStartingWith("grant line ")
        .hasMessageContaining("not well-formed: while parsing a flow")
        .hasMessageContaining("expected")
        .message()
        .doesNotContain("in reader", "^", "\n");
  }

  @Test
  void parse_duplicateKey_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("rollback: auto\n", "rollback: auto\nrollback: safe\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("rollback: duplicate member 'rollback'");
  }

  @Test
  void parse_quotedNumber_refusedNotCoerced() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("memory_pages: 16", "memory_pages: \"16\""))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("ceilings.memory_pages: must be an integer, not the string '16'");
  }

  @Test
  void parse_wrongTypeForObject_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("rollback: auto", "rollback: [auto]"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("rollback: must be one of auto, alarm, safe, not an array");
  }

  @Test
  void parse_missingRequiredKey_namesIt() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("  fault_limit: 0\n", ""))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("watch: missing required member 'fault_limit'");
  }

  @Test
  void parse_aliasAndAnchor_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("ceilings:\n", "ceilings: &limits\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("ceilings: YAML anchors are not allowed");
    assertThatThrownBy(() ->
            parse(
                """
                a: &x [1]
                b: *x
                """))
        .isInstanceOf(GrantException.class)
        .hasMessageContaining("YAML a");
  }

  @Test
  void parse_aliasAlone_refused() {
    assertThatThrownBy(() -> parse("devices: *d\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("devices: YAML aliases are not allowed");
  }

  @Test
  void parse_explicitTag_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("rollback: auto", "rollback: !!str auto"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("rollback: YAML tags are not allowed");
  }

  @Test
  void parse_secondDocument_refused() throws IOException {
    assertThatThrownBy(() -> parse(site() + "---\nrollback: safe\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("unexpected content after the top-level object");
  }

  @Test
  void parse_oversizedDocument_refusedBeforeParsing() {
    byte[] huge = new byte[Grant.MAX_BYTES + 1];
    assertThatThrownBy(() -> Grant.parse(huge))
        .isInstanceOf(GrantException.class)
        .hasMessageContaining("at most " + Grant.MAX_BYTES);
  }

  @Test
  void parse_malformedYaml_namesPosition() {
    assertThatThrownBy(() -> parse("devices:\n  a: [1, 2\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageStartingWith("grant line ")
        .hasMessageContaining("not well-formed");
  }

  @Test
  void parse_secretInAddress_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("coaps://10.0.0.7", "coaps://user:hunter2@10.0.0.7"))
        .isInstanceOf(GrantException.class)
        .hasMessageContaining("devices.thermostat.address:")
        .hasMessageContaining("credentials are named in 'credential'");
  }

  @Test
  void parse_unknownScheme_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("coaps://10.0.0.7", "http://10.0.0.7"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith(
            "devices.thermostat.address: 'http://10.0.0.7' must start with modbus-tcp://, coap:// or coaps://");
  }

  @Test
  void parse_unitOutOfRange_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("?unit=1", "?unit=256"))
        .isInstanceOf(GrantException.class)
        .hasMessageContaining("the only query allowed is unit=0–255 on modbus-tcp");
  }

  @Test
  void parse_writeAccessOnReadOnlyTable_refused() throws IOException {
    assertThatThrownBy(() ->
            parseSiteWith(
                "{table: input_register, from: 0, to: 15, access: read}",
                "{table: input_register, from: 0, to: 15, access: read_write}"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith(
            "devices.boiler-plc.modbus[0].access: input registers are read-only; access must be read");
  }

  @Test
  void parse_rangeEndingBeforeStart_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("from: 0, to: 15", "from: 15, to: 0"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith(
            "devices.boiler-plc.modbus[0].to: range ends at 0, before it starts at 15");
  }

  @Test
  void parse_safeValueOutsideRange_refused() throws IOException {
    assertThatThrownBy(
            () -> parseSiteWith("    max: 1\n    safe: 0\n", "    max: 1\n    safe: 2\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageContaining("outputs[0]");
  }

  @Test
  void parse_outputOutsideWriteRange_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("    address: 3\n", "    address: 9\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith(
            "outputs[0].address: coil 9 of 'boiler-plc' is not in a write range of that device");
  }

  @Test
  void parse_outputOnUnknownDevice_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("  - device: boiler-plc", "  - device: boiler"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("outputs[0].device: no device 'boiler' in this grant");
  }

  @Test
  void parse_unknownFaultPolicy_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("fault: safe", "fault: zero"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("outputs[0].fault: 'zero' is not one of hold, safe");
  }

  @Test
  void parse_swapWhenWithoutTimeout_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("swap_timeout_s: 900\n", ""))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("swap_when: swap_when and swap_timeout_s go together");
  }

  @Test
  void parse_emptyExpectation_refused() throws IOException {
    assertThatThrownBy(() -> parseSiteWith("expect: \"temp < 95\"", "expect: \"\""))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("watch.expect: must not be empty");
  }

  @Test
  void parse_updatePermitOnRegister_refused() throws IOException {
    assertThatThrownBy(() ->
            parseSiteWith(
                "{device: boiler-plc, table: discrete_input, address: 0}",
                "{device: boiler-plc, table: input_register, address: 0}"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith(
            "update_permit.table: the update permit is a coil or a discrete input");
  }

  @Test
  void parse_modbusRangesOnCoapDevice_refused() throws IOException {
    assertThatThrownBy(() ->
            parseSiteWith(
                "    coap:\n      - {path: /setpoint, methods: [GET]}\n",
                "    modbus:\n      - {table: coil, from: 0, to: 1, access: read}\n"))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith(
            "devices.thermostat.modbus: 'thermostat' is a CoAP device; it has no Modbus tables");
  }

  @Test
  void parse_malformedCondition_refusedWithWhereInTheExpression() throws IOException {
    assertThatThrownBy(
            () -> parseSiteWith("swap_when: \"burner == 0\"", "swap_when: \"burner == \""))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith(
            "swap_when: 'burner == ' is not a condition, at character 11: expected a number");
  }

  @Test
  void parse_emptyDocument_refused() {
    assertThatThrownBy(() -> parse(""))
        .isInstanceOf(GrantException.class)
        .hasMessageEndingWith("the document must be one object");
  }
}
