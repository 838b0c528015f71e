package dev.graft.bundle.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.JsonFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Encoder details the securesystemslib vectors rely on, checked one at a time. */
class CanonicalJsonTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();

  @Test
  void codePointOrder_astralAfterPrivateUse_unlikeStringCompareTo() {
    String astral = "😀"; // U+1F600, UTF-16 D83D DE00
    String privateUse = "\uE000";

    assertThat(CanonicalJson.CODE_POINT_ORDER.compare(astral, privateUse)).isPositive();
    assertThat(CanonicalJson.CODE_POINT_ORDER.compare(privateUse, astral)).isNegative();
    assertThat(astral.compareTo(privateUse)).isNegative();
  }

  @Test
  void codePointOrder_prefixFirstAndEqualIsZero() {
    assertThat(CanonicalJson.CODE_POINT_ORDER.compare("a", "a\u0000")).isNegative();
    assertThat(CanonicalJson.CODE_POINT_ORDER.compare("😀", "😀a")).isNegative();
    assertThat(CanonicalJson.CODE_POINT_ORDER.compare("😀a", "😀")).isPositive();
    assertThat(CanonicalJson.CODE_POINT_ORDER.compare("é😀", "é😀")).isZero();
    assertThat(CanonicalJson.CODE_POINT_ORDER.compare("", "")).isZero();
  }

  @Test
  void encode_keysSortedByCodePoint() {
    JsonObject object =
        JsonObject.builder()
            .put("😀", 1)
            .put("\uFFFF", 2)
            .put("\uE000", 3)
            .put("é", 4)
            .put("a", 5)
            .put("B", 6)
            .build();

    assertThat(CanonicalJson.encodeToString(object))
        .isEqualTo("{\"B\":6,\"a\":5,\"é\":4,\"\uE000\":3,\"\uFFFF\":2,\"😀\":1}");
  }

  @Test
  void encode_onlyQuoteAndBackslashEscaped_controlsWrittenRaw() {
    JsonString value = new JsonString("\"\\/\n\t\u0001\u0000\u007f");

    assertThat(CanonicalJson.encode(value))
        .isEqualTo("\"\\\"\\\\/\n\t\u0001\u0000\u007f\"".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void encode_keysSortedBeforeEscaping() {
    // '"' (0x22) sorts before '\' (0x5C) as characters; escaped, both start with '\'.
    JsonObject object = JsonObject.builder().put("\\", 1).put("\"", 2).put("#", 3).build();

    assertThat(CanonicalJson.encodeToString(object)).isEqualTo("{\"\\\"\":2,\"#\":3,\"\\\\\":1}");
  }

  @Test
  void encode_noWhitespaceAndIntegersInDecimal() {
    JsonValue value =
        PARSER.parse(
            " { \"b\" : [ 1 , -2 , 9223372036854775807 ] , \"a\" : { } , \"c\" : null } "
                .getBytes(StandardCharsets.UTF_8));

    assertThat(CanonicalJson.encodeToString(value))
        .isEqualTo("{\"a\":{},\"b\":[1,-2,9223372036854775807],\"c\":null}");
  }

  @Test
  void encode_sameMembersInAnyOrder_sameBytes() {
    JsonObject forward = JsonObject.builder().put("x", 1).put("y", 2).put("z", 3).build();
    JsonObject backward = JsonObject.builder().put("z", 3).put("y", 2).put("x", 1).build();

    assertThat(CanonicalJson.encode(forward)).isEqualTo(CanonicalJson.encode(backward));
  }

  /**
   * Canonical JSON of a value without control characters is RFC 8259 JSON, so parsing it and
   * encoding again must reproduce it byte for byte.
   */
  @Test
  void encode_thenParse_isFixedPointWithoutControlCharacters() {
    RandomJson random = RandomJson.withoutControlCharacters(11L);
    for (int i = 0; i < 500; i++) {
      JsonValue value = random.value(6);
      byte[] canonical = CanonicalJson.encode(value);

      JsonValue reparsed = PARSER.parse(canonical);

      assertThat(reparsed).as("value %d", i).isEqualTo(value);
      assertThat(CanonicalJson.encode(reparsed)).isEqualTo(canonical);
    }
  }

  @Test
  void encode_controlCharacterInString_outputIsNotStrictJson() {
    byte[] canonical = CanonicalJson.encode(new JsonString("a\nb"));

    assertThatThrownBy(() -> PARSER.parse(canonical))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("unescaped control character U+000A");
  }

  @Test
  void jsonString_loneSurrogate_refusedInsteadOfEncodedAsQuestionMark() {
    assertThatThrownBy(() -> new JsonString("ab\uD800"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("string has a lone surrogate U+D800 at index 2; it has no UTF-8 encoding");
    assertThatThrownBy(() -> new JsonString("\uDC00\uD83D"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("U+DC00 at index 0");
    assertThatThrownBy(() -> new JsonString("\uD83D"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("U+D83D at index 0");
  }

  @Test
  void objectBuilder_loneSurrogateKey_refused() {
    assertThatThrownBy(() -> JsonObject.builder().put("k\uDFFF", 1))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("member name has a lone surrogate U+DFFF at index 1; it has no UTF-8 encoding");
    assertThatThrownBy(() -> JsonObject.builder().putAll(Map.of("\uD800", JsonNull.INSTANCE)))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("member name has a lone surrogate U+D800");
  }

  @Test
  void jsonString_pairedSurrogates_accepted() {
    assertThat(CanonicalJson.encode(new JsonString("\uD83D\uDE00")))
        .isEqualTo(new byte[] {'"', (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, '"'});
  }
}
