package dev.graft.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilityCheckTest {
  static final Path NARROW = Path.of("examples/boiler-site-narrow.yaml");

  static Manifest manifest() throws IOException {
    return ManifestTest.parse(ManifestTest.example());
  }

  static Manifest manifestWith(String from, String to) throws IOException {
    return ManifestTest.parseExampleWith(from, to);
  }

  static Grant site() throws IOException {
    return GrantTest.parse(GrantTest.site());
  }

  static Grant siteWith(String from, String to) throws IOException {
    return GrantTest.parseSiteWith(from, to);
  }

  static List<String> violations(CapabilityCheck check) {
    assertThat(check).isInstanceOf(CapabilityCheck.Rejected.class);
    return ((CapabilityCheck.Rejected) check)
        .violations().stream().map(Violation::message).toList();
  }

  @Test
  void check_designExampleAgainstSiteGrant_accepted() throws IOException {
    assertThat(CapabilityCheck.check(manifest(), site())).isEqualTo(new CapabilityCheck.Accepted());
  }

  @Test
  void check_narrowGrant_rejectedWithEveryViolation() throws IOException {
    Grant narrow = Grant.parse(Files.readAllBytes(NARROW));

    CapabilityCheck check = CapabilityCheck.check(manifest(), narrow);

    assertThat(violations(check))
        .containsExactly(
            "limits.memory_pages 4 exceeds the grant's ceiling of 2 pages",
            "limits.tick_budget_us 2000 exceeds the grant's ceiling of 1000 µs",
            "tick_ms 100 is faster than the grant's minimum tick period of 200 ms",
            "point 'setpoint' uses GET /setpoint on 'thermostat'; the grant allows GET /mode",
            "point 'burner' writes coil 3 of 'boiler-plc'; the grant allows coils 0–2 read/write",
            "point 'burner' writes coil 3 of 'boiler-plc', but the grant has no output entry"
                + " (range, safe value, fault policy) for it");
    Violation burner = ((CapabilityCheck.Rejected) check).violations().get(4);
    assertThat(burner)
        .isEqualTo(
            new Violation(
                "burner",
                "boiler-plc",
                ModbusTable.COIL,
                3,
                "point 'burner' writes coil 3 of 'boiler-plc'; the grant allows coils 0–2"
                    + " read/write"));
  }

  @Test
  void check_unknownDevice_rejected() throws IOException {
    Manifest manifest = manifestWith("\"device\": \"thermostat\"", "\"device\": \"room-sensor\"");

    assertThat(violations(CapabilityCheck.check(manifest, site())))
        .containsExactly(
            "point 'setpoint' uses device 'room-sensor', which the grant does not name (granted"
                + " devices: boiler-plc, thermostat)");
  }

  @Test
  void check_inputOnWriteOnlyRange_rejected() throws IOException {
    Grant grant =
        siteWith(
            "{table: coil, from: 0, to: 7, access: read_write}",
            "{table: coil, from: 0, to: 7, access: write}");
    Manifest manifest =
        manifestWith(
            "{\"table\": \"input_register\", \"address\": 0, \"type\": \"int16\", \"scale\": 0.1}",
            "{\"table\": \"coil\", \"address\": 5}");

    assertThat(violations(CapabilityCheck.check(manifest, grant)))
        .containsExactly(
            "point 'temp' reads coil 5 of 'boiler-plc'; the grant allows coils 0–7 write");
  }

  @Test
  void check_outputOnReadOnlyRange_rejected() throws IOException {
    Grant grant =
        siteWith(
            "      - {table: coil, from: 0, to: 7, access: read_write}\n",
            """
                  - {table: coil, from: 0, to: 7, access: read_write}
                  - {table: holding_register, from: 0, to: 9, access: read}
                  - {table: holding_register, from: 10, to: 10, access: write}
            """);
    Manifest manifest =
        manifestWith(
            "{\"table\": \"coil\", \"address\": 3}",
            "{\"table\": \"holding_register\", \"address\": 4}");

    assertThat(violations(CapabilityCheck.check(manifest, grant)))
        .containsExactly(
            "point 'burner' writes holding register 4 of 'boiler-plc'; the grant allows holding"
                + " registers 0–9 read, 10 write",
            "point 'burner' writes holding register 4 of 'boiler-plc', but the grant has no"
                + " output entry (range, safe value, fault policy) for it");
  }

  @Test
  void check_thirtyTwoBitValueCrossingRangeEnd_rejected() throws IOException {
    Manifest manifest =
        manifestWith(
            "\"address\": 0, \"type\": \"int16\"", "\"address\": 15, \"type\": \"float32\"");

    assertThat(violations(CapabilityCheck.check(manifest, site())))
        .containsExactly(
            "point 'temp' reads input register 15–16 (float32) of 'boiler-plc'; the grant allows"
                + " input registers 0–15 read");
  }

  @Test
  void check_thirtyTwoBitValueInsideRange_accepted() throws IOException {
    Manifest manifest =
        manifestWith(
            "\"address\": 0, \"type\": \"int16\"", "\"address\": 14, \"type\": \"float32\"");

    assertThat(CapabilityCheck.check(manifest, site()))
        .isInstanceOf(CapabilityCheck.Accepted.class);
  }

  @Test
  void check_tableNotGranted_saysSo() throws IOException {
    Manifest manifest =
        manifestWith("\"table\": \"input_register\"", "\"table\": \"holding_register\"");

    assertThat(violations(CapabilityCheck.check(manifest, site())))
        .containsExactly(
            "point 'temp' reads holding register 0 of 'boiler-plc'; the grant allows no holding"
                + " registers on 'boiler-plc'");
  }

  @Test
  void check_coapMethodNotGranted_rejected() throws IOException {
    Grant grant = siteWith("methods: [GET]", "methods: [GET, PUT]");
    Manifest manifest =
        manifestWith(
            "\"dir\": \"in\",  \"device\": \"thermostat\", \"coap\": {\"path\": \"/setpoint\"}",
            "\"dir\": \"out\", \"device\": \"thermostat\", \"coap\": {\"path\": \"/setpoint\","
                + " \"method\": \"POST\"}");

    assertThat(violations(CapabilityCheck.check(manifest, grant)))
        .containsExactly(
            "point 'setpoint' uses POST /setpoint on 'thermostat'; the grant allows GET/PUT"
                + " /setpoint",
            "point 'setpoint' uses POST /setpoint on 'thermostat', but the grant has no output"
                + " entry (range, safe value, fault policy) for it");
  }

  @Test
  void check_coapOutputWithoutOutputEntry_rejected() throws IOException {
    Grant grant = siteWith("methods: [GET]", "methods: [GET, PUT]");
    Manifest manifest =
        manifestWith(
            "\"dir\": \"in\",  \"device\": \"thermostat\"",
            "\"dir\": \"out\", \"device\": \"thermostat\"");

    assertThat(violations(CapabilityCheck.check(manifest, grant)))
        .containsExactly(
            "point 'setpoint' uses PUT /setpoint on 'thermostat', but the grant has no output"
                + " entry (range, safe value, fault policy) for it");
  }

  @Test
  void check_modbusPointOnCoapDevice_rejected() throws IOException {
    Manifest manifest =
        manifestWith(
            "\"dir\": \"out\", \"device\": \"boiler-plc\"",
            "\"dir\": \"out\", \"device\": \"thermostat\"");

    assertThat(violations(CapabilityCheck.check(manifest, site())))
        .containsExactly(
            "point 'burner' writes coil 3 of 'thermostat', but the grant reaches that device over"
                + " coaps");
  }

  @Test
  void check_limitsExactlyAtCeilings_accepted() throws IOException {
    Manifest manifest =
        manifestWith(
            "{\"memory_pages\": 4, \"tick_budget_us\": 2000}",
            "{\"memory_pages\": 16, \"tick_budget_us\": 5000}");
    Manifest fastest = manifestWith("\"tick_ms\": 100", "\"tick_ms\": 50");

    assertThat(CapabilityCheck.check(manifest, site()))
        .isInstanceOf(CapabilityCheck.Accepted.class);
    assertThat(CapabilityCheck.check(fastest, site())).isInstanceOf(CapabilityCheck.Accepted.class);
  }

  @Test
  void check_limitsOneAboveCeilings_rejected() throws IOException {
    Manifest manifest =
        manifestWith(
            "{\"memory_pages\": 4, \"tick_budget_us\": 2000}",
            "{\"memory_pages\": 17, \"tick_budget_us\": 5001}");

    assertThat(violations(CapabilityCheck.check(manifest, site())))
        .containsExactly(
            "limits.memory_pages 17 exceeds the grant's ceiling of 16 pages",
            "limits.tick_budget_us 5001 exceeds the grant's ceiling of 5000 µs");
  }

  /** The example manifest with its burner output on holding register 3 of {@code type}. */
  private static Manifest burnerAsHoldingRegister(String type) throws IOException {
    String coil = "\"modbus\": {\"table\": \"coil\", \"address\": 3}";
    String register =
        coil.replace("coil", "holding_register").replace("3}", "3, \"type\": \"TYPE\"}");
    return manifestWith(coil, register.replace("TYPE", type));
  }

  @Test
  void check_grantValuesOutsideTheOutputsType_rejected() throws IOException {
    Manifest manifest = burnerAsHoldingRegister("uint16");
    Grant grant =
        GrantTest.parse(
            GrantTest.site()
                .replace(
                    "      - {table: coil, from: 0, to: 7, access: read_write}\n",
                    "      - {table: coil, from: 0, to: 7, access: read_write}\n"
                        + "      - {table: holding_register, from: 0, to: 9, access: read_write}\n")
                .replace(
                    "    table: coil\n    address: 3\n",
                    "    table: holding_register\n    address: 3\n")
                .replace("    min: 0\n", "    min: -10\n")
                .replace("    safe: 0\n", "    safe: -5\n"));

    assertThat(violations(CapabilityCheck.check(manifest, grant)))
        .containsExactly(
            "point 'burner' writes holding register 3 of 'boiler-plc', but the grant's min -10 is"
                + " outside what a uint16 holds (0 to 65535)",
            "point 'burner' writes holding register 3 of 'boiler-plc', but the grant's safe value"
                + " -5 is outside what a uint16 holds (0 to 65535)");
  }

  @Test
  void check_fractionalSafeValueForAnIntegerType_rejected() throws IOException {
    Manifest manifest = burnerAsHoldingRegister("int16");
    Grant grant =
        GrantTest.parse(
            GrantTest.site()
                .replace(
                    "      - {table: coil, from: 0, to: 7, access: read_write}\n",
                    "      - {table: coil, from: 0, to: 7, access: read_write}\n"
                        + "      - {table: holding_register, from: 0, to: 9, access: read_write}\n")
                .replace(
                    "    table: coil\n    address: 3\n",
                    "    table: holding_register\n    address: 3\n")
                .replace("    safe: 0\n", "    safe: 0.5\n"));

    assertThat(violations(CapabilityCheck.check(manifest, grant)))
        .containsExactly(
            "point 'burner' writes holding register 3 of 'boiler-plc', but the grant's safe value"
                + " 0.5 is not a whole number, which an int16 needs");
  }

  @Test
  void check_rejectionNeedsAViolation() {
    assertThatThrownBy(() -> new CapabilityCheck.Rejected(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejected_violationsAreImmutable() throws IOException {
    CapabilityCheck check =
        CapabilityCheck.check(manifest(), Grant.parse(Files.readAllBytes(NARROW)));

    assertThat(((CapabilityCheck.Rejected) check).violations()).isUnmodifiable();
    assertThat(manifest().points()).isUnmodifiable();
    assertThat(site().devices()).isUnmodifiable();
  }

  @Test
  void check_grantConditionReadsUndeclaredPoint_rejected() throws IOException {
    Grant grant = siteWith("expect: \"temp < 95\"", "expect: \"temp < 95 and pressure < 3\"");

    assertThat(violations(CapabilityCheck.check(manifest(), grant)))
        .containsExactly(
            "the grant's watch.expect reads point 'pressure', which the manifest does not declare");
  }
}
