package dev.graft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.testing.DtlsTestPki;
import dev.graft.sim.plant.PlantParameters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteConfigReaderTest {
  @TempDir Path folder;

  private final SiteConfigReader reader = new SiteConfigReader(Map.of("SIM_PSK", "env-key")::get);

  private SiteConfig parse(String yaml) {
    return reader.parse(yaml, "site.yaml", folder);
  }

  @Test
  void read_exampleFile_matchesTheDefaultSiteOnFixedPorts() {
    SiteConfig config = new SiteConfigReader().read(Path.of("examples/site.yaml"));

    assertThat(config.plant()).isEqualTo(PlantParameters.DEFAULT);
    assertThat(config.modbus().port()).isEqualTo(5020);
    assertThat(config.modbus().unitId()).isEqualTo(1);
    assertThat(config.modbus().flowWordOrder()).isEqualTo(WordOrder.BIG);
    assertThat(config.coap().port()).isEqualTo(5683);
    assertThat(config.coap().dtlsPort()).isEqualTo(5684);
    assertThat(config.coap().psk()).isNotNull();
    assertThat(config.coap().psk().identity()).isEqualTo("graft-gateway");
    assertThat(config.speed()).isEqualTo(1.0);
  }

  @Test
  void parse_fewKeys_restTakesTheDefaults() {
    SiteConfig config = parse("speed: 10\nmodbus:\n  watchdog_s: 0\n");

    SiteConfig defaults = SiteConfig.defaults();
    assertThat(config.speed()).isEqualTo(10.0);
    assertThat(config.plant().watchdogSeconds()).isZero();
    assertThat(config.modbus()).isEqualTo(defaults.modbus());
    assertThat(config.coap()).isEqualTo(defaults.coap());
    assertThat(config.plant().heatingCPerS()).isEqualTo(0.5);
  }

  @Test
  void parse_unknownKey_namesLineAndField() {
    assertThatThrownBy(() -> parse("seed: 3\nmodbus:\n  unit_id: 1\n  prot: 502\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("site.yaml line 4")
        .hasMessageContaining("unknown field 'modbus.prot'")
        .hasMessageContaining("port");
  }

  @Test
  void parse_wrongType_namesLineAndField() {
    assertThatThrownBy(() -> parse("modbus:\n  port: five\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("modbus.port");
  }

  @Test
  void parse_quotedNumber_isNotCoerced() {
    assertThatThrownBy(() -> parse("speed: \"10\"\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("speed");
  }

  @Test
  void parse_quotedPort_saysExpectedANumberWithFieldAndLine_noJacksonInternals() {
    assertThatThrownBy(() -> parse("seed: 1\nmodbus:\n  port: \"5020\"\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("site.yaml line 3")
        .hasMessageContaining("field 'modbus.port': expected a whole number, found \"5020\"")
        .hasMessageContaining("without quotes")
        .message()
        .doesNotContain("coerce", "CoercionConfig", "Integer", "java.");
  }

  @Test
  void parse_textForABoolean_saysTrueOrFalse() {
    assertThatThrownBy(() -> parse("modbus:\n  port: five\n"))
        .isInstanceOf(SiteConfigException.class)
        .message()
        .contains("modbus.port", "expected a whole number")
        .doesNotContain("Cannot", "Integer");
  }

  @Test
  void parse_duplicateKey_isRefused() {
    assertThatThrownBy(() -> parse("seed: 1\nseed: 2\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("seed");
  }

  @Test
  void parse_portOutOfRange_namesTheField() {
    assertThatThrownBy(() -> parse("modbus:\n  port: 70000\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("modbus.port 70000");
  }

  @Test
  void parse_badWordOrder_saysWhatIsAllowed() {
    assertThatThrownBy(() -> parse("modbus:\n  flow_word_order: middle\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("'middle'")
        .hasMessageContaining("'big'");
  }

  @Test
  void parse_negativeSpeed_isRefused() {
    assertThatThrownBy(() -> parse("speed: -1\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("speed -1.0");
  }

  @Test
  void parse_keyFromEnvironment_isUsedAndNeverPrinted() {
    SiteConfig config = parse("coap:\n  dtls:\n    identity: gw\n    key_env: SIM_PSK\n");

    Psk psk = config.coap().psk();
    assertThat(psk).isNotNull();
    assertThat(new String(psk.key(), StandardCharsets.UTF_8)).isEqualTo("env-key");
    assertThat(config.toString()).doesNotContain("env-key");
    assertThat(psk.toString()).contains("gw").doesNotContain("env-key");
  }

  @Test
  void parse_keyFromFile_isReadRelativeToTheConfig() throws Exception {
    Files.writeString(folder.resolve("k.psk"), "file-key\n");

    SiteConfig config = parse("coap:\n  dtls:\n    identity: gw\n    key_file: k.psk\n");

    assertThat(new String(config.coap().psk().key(), StandardCharsets.UTF_8)).isEqualTo("file-key");
  }

  @Test
  void parse_missingKeyFile_namesThePathNotTheKey() {
    assertThatThrownBy(() -> parse("coap:\n  dtls:\n    identity: gw\n    key_file: nope.psk\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("coap.dtls.key_file")
        .hasMessageContaining("nope.psk");
  }

  @Test
  void parse_unsetKeyVariable_isRefused() {
    assertThatThrownBy(() -> parse("coap:\n  dtls:\n    identity: gw\n    key_env: NOT_SET\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("NOT_SET");
  }

  @Test
  void parse_bothKeySources_isRefused() {
    assertThatThrownBy(() ->
            parse("coap:\n  dtls:\n    identity: gw\n    key_env: SIM_PSK\n    key_file: k\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("exactly one of key_file");
  }

  @Test
  void parse_keyInline_isAnUnknownField() {
    assertThatThrownBy(() -> parse("coap:\n  dtls:\n    identity: gw\n    key: secret123\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("unknown field 'coap.dtls.key'")
        .hasMessageNotContaining("secret123");
  }

  /** The thermostat's certificate from a site CA, written into the test's folder. */
  private DtlsTestPki.Issued thermostat() {
    return DtlsTestPki.in(folder).ca("site-ca").device("thermostat", "site-ca", "IP:127.0.0.1");
  }

  @Test
  void parse_certificate_readsKeyChainAndClientCa() {
    thermostat();

    SiteConfig config =
        parse(
            """
            coap:
              dtls:
                port: 5684
                certificate:
                  chain_file: thermostat.pem
                  key_file: thermostat.key
                  client_ca_file: site-ca.pem
            """);

    DtlsCertificate certificate = config.coap().certificate();
    assertThat(certificate).isNotNull();
    assertThat(certificate.subject()).isEqualTo("CN=thermostat");
    assertThat(certificate.clientCaSubjects()).isEqualTo("CN=site-ca");
    assertThat(config.coap().psk()).isNull();
    assertThat(config.coap().dtls()).isTrue();
    assertThat(config.coap().dtlsPort()).isEqualTo(5684);
  }

  @Test
  void parse_certificateAndPsk_bothOnTheOneEndpoint() {
    thermostat();

    SiteConfig config =
        parse(
            """
            coap:
              dtls:
                identity: gw
                key_env: SIM_PSK
                certificate: {chain_file: thermostat.pem, key_file: thermostat.key,
                              client_ca_file: site-ca.pem}
            """);

    assertThat(config.coap().psk()).isNotNull();
    assertThat(config.coap().certificate()).isNotNull();
  }

  @Test
  void parse_certificateWithoutClientCa_isRefusedBecauseClientsMustAuthenticate() {
    thermostat();

    assertThatThrownBy(() ->
            parse(
                "coap:\n  dtls:\n    certificate:\n      chain_file: thermostat.pem\n"
                    + "      key_file: thermostat.key\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("coap.dtls.certificate.client_ca_file is missing")
        .hasMessageContaining("requires client certificates");
  }

  @Test
  void parse_certificateKeyFileMissing_namesTheFieldAndPath() {
    thermostat();

    assertThatThrownBy(() ->
            parse(
                "coap:\n  dtls:\n    certificate:\n      chain_file: thermostat.pem\n"
                    + "      key_file: nope.key\n      client_ca_file: site-ca.pem\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("coap.dtls.certificate.key_file")
        .hasMessageContaining("nope.key")
        .hasMessageContaining("does not exist");
  }

  @Test
  void parse_keyOfAnotherCertificate_isRefusedWithoutShowingIt() throws Exception {
    thermostat();
    DtlsTestPki.in(folder).device("boiler", "site-ca", "IP:127.0.0.2");

    assertThatThrownBy(() ->
            parse(
                "coap:\n  dtls:\n    certificate:\n      chain_file: thermostat.pem\n"
                    + "      key_file: boiler.key\n      client_ca_file: site-ca.pem\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("does not belong to the certificate CN=thermostat")
        .hasMessageNotContaining(keyBody(folder.resolve("boiler.key")));
  }

  @Test
  void parse_certificate_keyNeverPrinted() throws Exception {
    thermostat();

    SiteConfig config =
        parse(
            "coap:\n  dtls:\n    certificate:\n      chain_file: thermostat.pem\n"
                + "      key_file: thermostat.key\n      client_ca_file: site-ca.pem\n");

    String body = keyBody(folder.resolve("thermostat.key"));
    assertThat(config.toString()).contains("CN=thermostat").doesNotContain(body);
  }

  @Test
  void parse_dtlsWithNeitherPskNorCertificate_isRefused() {
    assertThatThrownBy(() -> parse("coap:\n  dtls:\n    port: 5684\n"))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("coap.dtls needs a pre-shared key")
        .hasMessageContaining("certificate");
  }

  private static String keyBody(Path key) throws Exception {
    return Files.readString(key)
        .lines()
        .filter(l -> !l.startsWith("-----"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void parse_empty_isRefused() {
    assertThatThrownBy(() -> parse("")).isInstanceOf(SiteConfigException.class);
  }

  @Test
  void read_missingFile_saysSo() {
    assertThatThrownBy(() -> reader.read(folder.resolve("absent.yaml")))
        .isInstanceOf(SiteConfigException.class)
        .hasMessageContaining("absent.yaml");
  }
}
