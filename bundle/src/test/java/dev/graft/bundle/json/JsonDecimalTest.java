package dev.graft.bundle.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.JsonFormatException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonDecimalTest {
  private static final JsonParser DECIMALS = JsonParser.withDefaults().allowingDecimals();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parse_decimalModeWithFraction_keepsExactValue() {
    JsonObject object = DECIMALS.parseObject(utf8("{\"scale\": 0.1, \"big\": -1.5e-3, \"n\": 7}"));

    assertThat(object.get("scale")).isEqualTo(new JsonDecimal(new BigDecimal("0.1")));
    assertThat(object.get("big")).isEqualTo(new JsonDecimal(new BigDecimal("-1.5e-3")));
    assertThat(object.get("n")).isEqualTo(new JsonNumber(7));
  }

  @Test
  void parse_defaultModeWithFraction_refuses() {
    assertThatThrownBy(() -> JsonParser.withDefaults().parse(utf8("0.1")))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("only integers are allowed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.", "1.e5", "1e", "1e+", "01.5", "1.5.5", "1e99999", "-.5"})
  void parse_decimalModeMalformedNumber_refuses(String input) {
    assertThatThrownBy(() -> DECIMALS.parse(utf8(input))).isInstanceOf(JsonFormatException.class);
  }

  @Test
  void parse_decimalModeStillStrict_refusesDuplicates() {
    assertThatThrownBy(() -> DECIMALS.parse(utf8("{\"a\": 0.5, \"a\": 0.5}")))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("duplicate");
  }

  @Test
  void encode_decimal_canonicalRefusesPrettyWrites() {
    JsonObject object = DECIMALS.parseObject(utf8("{\"scale\": 0.25}"));

    assertThatThrownBy(() -> CanonicalJson.encode(object))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("integers only");
    assertThat(DECIMALS.parse(PrettyJson.encode(object))).isEqualTo(object);
  }
}
