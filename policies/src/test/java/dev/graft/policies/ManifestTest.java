package dev.graft.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.policies.Manifest.Direction;
import dev.graft.policies.Manifest.ValueType;
import dev.graft.policies.Manifest.WordOrder;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ManifestTest {
  static final Path EXAMPLE = Path.of("src/test/resources/boiler-control.manifest.json");

  static String example() throws IOException {
    return Files.readString(EXAMPLE);
  }

  static Manifest parse(String json) {
    return Manifest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses the example with one substring replaced, so each test breaks exactly one thing. */
  static Manifest parseExampleWith(String from, String to) throws IOException {
    String json = example();
    assertThat(json).contains(from);
    return parse(json.replace(from, to));
  }

  @Test
  void parse_designExample_readsEveryField() throws IOException {
    Manifest manifest = parse(example());

    assertThat(manifest.abi()).isEqualTo("graft/1");
    assertThat(manifest.name()).isEqualTo("boiler-control");
    assertThat(manifest.version()).isEqualTo("1.4.0");
    assertThat(manifest.stateVersion()).isEqualTo(2);
    assertThat(manifest.acceptsState()).containsExactly(1, 2);
    assertThat(manifest.module().sha256()).startsWith("9f86d081");
    assertThat(manifest.tickMs()).isEqualTo(100);
    assertThat(manifest.limits()).isEqualTo(new Manifest.Limits(4, 2000));
    assertThat(manifest.selfTest()).isTrue();
    assertThat(manifest.shadowTicks()).isEqualTo(50);
    assertThat(manifest.points())
        .extracting(Manifest.Point::name)
        .containsExactly("temp", "setpoint", "burner");

    Manifest.Point temp = manifest.points().get(0);
    assertThat(temp.dir()).isEqualTo(Direction.IN);
    assertThat(temp.device()).isEqualTo("boiler-plc");
    assertThat(modbus(temp))
        .isEqualTo(
            new Manifest.ModbusPoint(
                ModbusTable.INPUT_REGISTER, 0, ValueType.INT16, new BigDecimal("0.1")));
    assertThat(temp).isInstanceOf(Manifest.Point.Modbus.class);
  }

  @Test
  void parse_optionalMembersAbsent_appliesDefaults() throws IOException {
    Manifest manifest = parse(example());

    assertThat(manifest.saveEveryTicks()).isEqualTo(100);
    // the coil point names no type and no scale; the CoAP input names no method
    Manifest.ModbusPoint burner = modbus(manifest.points().get(2));
    assertThat(burner.type()).isEqualTo(ValueType.BOOL);
    assertThat(burner.scale()).isEqualTo(BigDecimal.ONE);
    Manifest.ModbusPoint temp = modbus(manifest.points().get(0));
    assertThat(temp.offset()).isEqualTo(BigDecimal.ZERO);
    assertThat(temp.wordOrder()).isEqualTo(WordOrder.BIG);
    assertThat(coap(manifest.points().get(1)))
        .isEqualTo(new Manifest.CoapPoint("/setpoint", CoapMethod.GET));
  }

  @Test
  void parse_misspeltRequiredMember_pointsAtItWithDidYouMean() {
    assertThatThrownBy(() -> parseExampleWith("\"tick_ms\"", "\"tickms\""))
        .isInstanceOfSatisfying(
            ManifestException.class,
            e -> {
              assertThat(e.path()).isEqualTo("tickms");
              assertThat(e.line()).isGreaterThan(1);
              assertThat(e.problem())
                  .isEqualTo(
                      "unknown member 'tickms'; did you mean 'tick_ms'? (missing required member"
                          + " 'tick_ms')");
              assertThat(e.located()).startsWith("line " + e.line() + ", column ");
            });
  }

  @Test
  void parse_misspeltOptionalMember_unknownWithDidYouMean() {
    assertThatThrownBy(() -> parseExampleWith("\"shadow_ticks\"", "\"shadow_tick\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("unknown member 'shadow_tick'; did you mean 'shadow_ticks'?");
  }

  @Test
  void parse_coapOutputWithoutMethod_defaultsToPut() throws IOException {
    Manifest manifest =
        parseExampleWith(
            "\"dir\": \"in\",  \"device\": \"thermostat\"",
            "\"dir\": \"out\", \"device\": \"thermostat\"");

    assertThat(coap(manifest.points().get(1)).method()).isEqualTo(CoapMethod.PUT);
  }

  @Test
  void parse_unknownTableName_namesLineColumnPathAndChoices() {
    String json =
        """
        {
          "abi": "graft/1", "name": "m", "version": "1",
          "module": {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
          "tick_ms": 100, "limits": {"memory_pages": 1, "tick_budget_us": 10},
          "points": [
            {"name": "a", "dir": "in", "device": "d", "coap": {"path": "/a"}},
            {"name": "b", "dir": "out", "device": "d",
             "modbus": {"table": "coils", "address": 3}}
          ]
        }
        """;

    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(ManifestException.class)
        .isInstanceOf(PolicyViolationException.class)
        .hasMessage(
            "manifest.json line 8, column 26, points[1].modbus.table: 'coils' is not one of coil,"
                + " discrete_input, input_register, holding_register");
  }

  @Test
  void parse_unknownMember_refusedWithItsPath() throws IOException {
    assertThatThrownBy(() ->
            parseExampleWith(
                "\"path\": \"/setpoint\"", "\"path\": \"/setpoint\", \"verb\": \"GET\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageStartingWith("manifest.json line 10, column ")
        .hasMessageContaining("points[1].coap.verb: unknown member 'verb'; allowed: path, method")
        .satisfies(
            e -> assertThat(((ManifestException) e).path()).isEqualTo("points[1].coap.verb"));
  }

  @Test
  void parse_unknownTopLevelMember_refused() throws IOException {
    assertThatThrownBy(
            () -> parseExampleWith("\"tick_ms\": 100,", "\"tick_ms\": 100, \"tickMs\": 5,"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("tickMs: unknown member 'tickMs'");
  }

  @Test
  void parse_duplicateKey_refused() throws IOException {
    assertThatThrownBy(
            () -> parseExampleWith("\"tick_ms\": 100,", "\"tick_ms\": 100, \"tick_ms\": 1,"))
        .isInstanceOf(ManifestException.class)
        .hasMessageStartingWith("manifest.json line 5, column ")
        .hasMessageEndingWith("tick_ms: duplicate member 'tick_ms'");
  }

  @Test
  void parse_numberAsString_refusedNotCoerced() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"tick_ms\": 100", "\"tick_ms\": \"100\""))
        .isInstanceOf(ManifestException.class)
        .hasMessage(
            "manifest.json line 5, column 14, tick_ms: must be an integer, not the string '100'");
  }

  @Test
  void parse_fractionWhereIntegerExpected_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"memory_pages\": 4", "\"memory_pages\": 4.5"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("limits.memory_pages: must be an integer, not 4.5");
  }

  @Test
  void parse_integerOutOfRange_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"tick_ms\": 100", "\"tick_ms\": 0"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("tick_ms: 0 is outside 1–3600000");
  }

  @Test
  void parse_boolAsNumber_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"self_test\": true", "\"self_test\": 1"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("self_test: must be true or false, not 1");
  }

  @Test
  void parse_nullValue_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"version\": \"1.4.0\"", "\"version\": null"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("version: must be a string, not null");
  }

  @Test
  void parse_missingRequiredMember_namesIt() throws IOException {
    assertThatThrownBy(() ->
            parseExampleWith("\"limits\": {\"memory_pages\": 4, \"tick_budget_us\": 2000},", ""))
        .isInstanceOf(ManifestException.class)
        .hasMessage("manifest.json line 1, column 1: missing required member 'limits'");
  }

  @Test
  void parse_missingNestedMember_namesObjectPath() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"table\": \"coil\", ", ""))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("points[2].modbus: missing required member 'table'");
  }

  @Test
  void parse_malformedJson_namesPosition() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"shadow_ticks\": 50", "\"shadow_ticks\": 50,"))
        .isInstanceOf(ManifestException.class)
        .hasMessageStartingWith("manifest.json line 15, column 1:")
        .hasMessageContaining("not well-formed");
  }

  @Test
  void parse_trailingContent_refused() throws IOException {
    assertThatThrownBy(() -> parse(example() + "{}"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("unexpected content after the top-level object");
  }

  @Test
  void parse_topLevelArray_refused() {
    assertThatThrownBy(() -> parse("[]"))
        .isInstanceOf(ManifestException.class)
        .hasMessage("manifest.json line 1, column 1: the document must be one object");
  }

  @Test
  void parse_oversizedDocument_refusedBeforeParsing() {
    byte[] huge = new byte[Manifest.MAX_BYTES + 1];
    assertThatThrownBy(() -> Manifest.parse(huge))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("at most " + Manifest.MAX_BYTES);
  }

  @Test
  void parse_otherAbi_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"graft/1\"", "\"graft/2\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("abi: unsupported abi 'graft/2'; this gateway runs graft/1");
  }

  @Test
  void parse_badSha256_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("9f86d081", "9F86D081"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("module.sha256: must be 64 lowercase hex digits");
  }

  @Test
  void parse_pointWithBothTransports_refused() throws IOException {
    assertThatThrownBy(() ->
            parseExampleWith(
                "\"coap\": {\"path\": \"/setpoint\"}",
                "\"coap\": {\"path\": \"/setpoint\"}, \"modbus\": {\"table\": \"coil\", \"address\": 1}"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("points[1]: a point needs exactly one of 'modbus' and 'coap'");
  }

  @Test
  void parse_duplicatePointName_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"name\": \"burner\"", "\"name\": \"temp\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("points[2]: point name 'temp' used twice");
  }

  @Test
  void parse_outputOnReadOnlyTable_refused() throws IOException {
    assertThatThrownBy(
            () -> parseExampleWith("\"table\": \"coil\"", "\"table\": \"discrete_input\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith(
            "points[2].modbus.table: an output cannot write the read-only table discrete_input");
  }

  @Test
  void parse_boolTypeOnRegister_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"type\": \"int16\"", "\"type\": \"bool\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("points[0].modbus.type: a input_register holds a number");
  }

  @Test
  void parse_thirtyTwoBitValueRunningPastLastRegister_refused() throws IOException {
    assertThatThrownBy(() ->
            parseExampleWith(
                "\"address\": 0, \"type\": \"int16\"", "\"address\": 65535, \"type\": \"float32\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("points[0].modbus.address: a float32 at 65535 runs past 65535");
  }

  @Test
  void parse_zeroScale_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"scale\": 0.1", "\"scale\": 0.0"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("points[0].modbus.scale: scale must not be 0");
  }

  @Test
  void parse_pointNameThatIsNoIdentifier_refused() throws IOException {
    assertThatThrownBy(() -> parseExampleWith("\"name\": \"burner\"", "\"name\": \"burner 1\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("points[2].name: 'burner 1' is not a point name");
  }

  @Test
  void parse_coapInputWithWriteMethod_refused() throws IOException {
    assertThatThrownBy(() ->
            parseExampleWith(
                "\"coap\": {\"path\": \"/setpoint\"}",
                "\"coap\": {\"path\": \"/setpoint\", \"method\": \"PUT\"}"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("points[1].coap.method: an input is read with GET, not PUT");
  }

  @Test
  void parse_offsetAndLittleWordOrderOnFloat_read() throws IOException {
    Manifest manifest =
        parseExampleWith(
            "\"type\": \"int16\", \"scale\": 0.1",
            "\"type\": \"float32\", \"scale\": 0.1, \"offset\": -40.5,"
                + " \"word_order\": \"little\"");

    Manifest.ModbusPoint temp = modbus(manifest.points().get(0));
    assertThat(temp.offset()).isEqualByComparingTo("-40.5");
    assertThat(temp.wordOrder()).isEqualTo(WordOrder.LITTLE);
  }

  @Test
  void parse_wordOrderOnSixteenBitType_refused() throws IOException {
    assertThatThrownBy(() ->
            parseExampleWith("\"type\": \"int16\"", "\"type\": \"int16\", \"word_order\": \"big\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith(
            "points[0].modbus.word_order: word_order is for 32-bit types; a int16 has one register");
  }

  @Test
  void parse_unknownWordOrder_refused() throws IOException {
    assertThatThrownBy(() ->
            parseExampleWith(
                "\"type\": \"int16\"", "\"type\": \"int32\", \"word_order\": \"middle\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("points[0].modbus.word_order: 'middle' is not one of big, little");
  }

  @Test
  void parse_offsetAsString_refused() throws IOException {
    assertThatThrownBy(
            () -> parseExampleWith("\"scale\": 0.1", "\"scale\": 0.1, \"offset\": \"5\""))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("points[0].modbus.offset: must be a number");
  }

  @Test
  void parse_offsetOnCoil_refused() throws IOException {
    assertThatThrownBy(() ->
            parseExampleWith(
                "{\"table\": \"coil\", \"address\": 3}",
                "{\"table\": \"coil\", \"address\": 3, \"offset\": 1}"))
        .isInstanceOf(ManifestException.class)
        .hasMessageEndingWith("points[2].modbus.offset: a bool point has no offset");
  }

  private static Manifest.ModbusPoint modbus(Manifest.Point point) {
    assertThat(point).isInstanceOf(Manifest.Point.Modbus.class);
    return ((Manifest.Point.Modbus) point).modbus();
  }

  private static Manifest.CoapPoint coap(Manifest.Point point) {
    assertThat(point).isInstanceOf(Manifest.Point.Coap.class);
    return ((Manifest.Point.Coap) point).coap();
  }
}
