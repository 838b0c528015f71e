package dev.graft.bundle.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** PrettyJson output is RFC 8259 JSON that the strict parser reads back to the same value. */
class PrettyJsonTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();

  @Test
  void encode_smallObject_writesSortedTwoSpaceIndentedText() {
    JsonObject value =
        JsonObject.builder()
            .put("b", JsonArray.of(new JsonNumber(1), JsonBoolean.TRUE, JsonNull.INSTANCE))
            .put("a", "x")
            .put("c", JsonObject.empty())
            .put("d", JsonArray.of())
            .build();

    assertThat(new String(PrettyJson.encode(value), StandardCharsets.UTF_8))
        .isEqualTo(
            """
            {
              "a": "x",
              "b": [
                1,
                true,
                null
              ],
              "c": {},
              "d": []
            }
            """);
  }

  @Test
  void encode_everyControlCharacter_escapedAndParsesBack() {
    StringBuilder controls = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    JsonObject value =
        JsonObject.builder()
            .put(controls.toString(), controls + "\"\\/\u007f")
            .put("\n", "\t")
            .build();

    byte[] pretty = PrettyJson.encode(value);

    for (byte b : stripIndentation(pretty)) {
      assertThat(b & 0xff).as("raw control byte in output").isGreaterThanOrEqualTo(0x20);
    }
    assertThat(PARSER.parse(pretty)).isEqualTo(value);
  }

  @Test
  void encode_nonAsciiAndAstral_writtenRawAndParsesBack() {
    JsonValue value =
        JsonArray.of(
            new JsonString("é 中 😀 \uE000 \uFFFF \uDBFF\uDFFF \u2028"), new JsonNumber(-1));

    byte[] pretty = PrettyJson.encode(value);

    assertThat(new String(pretty, StandardCharsets.UTF_8)).contains("😀", "\uFFFF");
    assertThat(PARSER.parse(pretty)).isEqualTo(value);
  }

  @Test
  void encode_randomValues_parseBackEqualWithSameCanonicalBytes() {
    RandomJson random = RandomJson.withSeed(7L);
    for (int i = 0; i < 500; i++) {
      JsonValue value = random.value(6);

      JsonValue reparsed = PARSER.parse(PrettyJson.encode(value));

      assertThat(reparsed).as("value %d", i).isEqualTo(value);
      assertThat(CanonicalJson.encode(reparsed)).isEqualTo(CanonicalJson.encode(value));
    }
  }

  /** The newlines PrettyJson writes between members are layout, not string content. */
  private static byte[] stripIndentation(byte[] pretty) {
    return new String(pretty, StandardCharsets.UTF_8)
        .replace("\n", "")
        .getBytes(StandardCharsets.UTF_8);
  }
}
