package dev.graft.bundle.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.JsonFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the strict parser refuses, with which message, and what it accepts. */
class JsonParserTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();

  static Stream<Arguments> refusedText() {
    return Stream.of(
        // duplicates, also nested and equal only after unescaping
        refused("{\"a\":1,\"a\":2}", "duplicate member name 'a'"),
        refused("{\"a\":1,\"a\":1}", "duplicate member name 'a'"),
        refused("{\"x\":{\"b\":1,\"c\":2,\"b\":3}}", "duplicate member name 'b'"),
        refused("[{\"k\":1},{\"k\":1,\"k\":{}}]", "duplicate member name 'k'"),
        refused("{\"a\":1,\"\\u0061\":2}", "duplicate member name 'a'"),
        refused("{\"a/b\":1,\"a\\/b\":2}", "duplicate member name 'a/b'"),
        refused("{\"😀\":1,\"\\ud83d\\ude00\":2}", "duplicate member name '\\ud83d\\ude00'"),
        refused("{\"\\n\":1,\"\\u000a\":2}", "duplicate member name '\\u000a'"),
        // numbers
        refused("1.0", "only integers are allowed"),
        refused("1e5", "only integers are allowed"),
        refused("1E-2", "only integers are allowed"),
        refused("-0.5", "only integers are allowed"),
        refused("[0.0]", "only integers are allowed"),
        refused("{\"a\":2e1}", "only integers are allowed"),
        refused("01", "leading zeros are not allowed"),
        refused("-01", "leading zeros are not allowed"),
        refused("[00]", "leading zeros are not allowed"),
        refused("9223372036854775808", "integer 9223372036854775808 is outside the signed 64-bit"),
        refused("-9223372036854775809", "is outside the signed 64-bit range"),
        refused("[123456789012345678901234567890]", "is outside the signed 64-bit range"),
        refused("-", "expected a digit"),
        refused("-a", "expected a digit"),
        refused("+1", "unexpected character '+'"),
        refused("NaN", "unexpected character 'N'"),
        refused("Infinity", "unexpected character 'I'"),
        refused("-Infinity", "expected a digit"),
        refused(".5", "unexpected character '.'"),
        // trailing data
        refused("{} x", "unexpected data after the JSON value"),
        refused("{}{}", "unexpected data after the JSON value"),
        refused("[] []", "unexpected data after the JSON value"),
        refused("1 2", "unexpected data after the JSON value"),
        refused("\"a\"\"b\"", "unexpected data after the JSON value"),
        refused("{}]", "unexpected data after the JSON value"),
        refused("nullx", "unexpected data after the JSON value"),
        // lone surrogate escapes
        refused("\"\\ud800\"", "lone high surrogate escape"),
        refused("\"\\udc00\"", "lone low surrogate escape"),
        refused("\"\\ud800\\u0041\"", "high surrogate escape not followed by a low surrogate"),
        refused("\"\\ud800\\ud800\"", "high surrogate escape not followed by a low surrogate"),
        refused("\"\\udc00\\ud800\"", "lone low surrogate escape"),
        refused("\"\\ud800x\"", "lone high surrogate escape"),
        refused("{\"\\udbff\":1}", "lone high surrogate escape"),
        // unescaped control characters
        refused("\"a\u0001b\"", "unescaped control character U+0001 in string"),
        refused("\"\n\"", "unescaped control character U+000A in string"),
        refused("\"\t\"", "unescaped control character U+0009 in string"),
        refused("\"\u0000\"", "unescaped control character U+0000 in string"),
        refused("{\"k\u001f\":1}", "unescaped control character U+001F in string"),
        // invalid escapes
        refused("\"\\x41\"", "invalid escape \\'x' in string"),
        refused("\"\\a\"", "invalid escape \\'a' in string"),
        refused("\"\\'\"", "invalid escape \\''' in string"),
        refused("\"\\0\"", "invalid escape \\'0' in string"),
        refused("\"\\U0041\"", "invalid escape \\'U' in string"),
        refused("\"\\u12G4\"", "invalid hex digit in \\u escape"),
        refused("\"\\u１２３４\"", "invalid hex digit in \\u escape"),
        refused("[\"\\u00\"]", "invalid hex digit in \\u escape"),
        refused("\"\\u12", "truncated \\u escape"),
        refused("\"\\", "unterminated escape"),
        // unterminated strings and containers
        refused("\"abc", "unterminated string"),
        refused("{\"a\":\"b", "unterminated string"),
        refused("{", "unterminated object"),
        refused("{\"a\":1", "unterminated object"),
        refused("{\"a\"", "unterminated object"),
        refused("{\"a\":1,", "unterminated object"),
        refused("[", "unterminated array"),
        refused("[1,2", "unterminated array"),
        refused("[[[]]", "unterminated array"),
        refused("{\"a\":", "unexpected end of input, expected a value"),
        refused("[1,", "unexpected end of input, expected a value"),
        // empty input
        refused("", "unexpected end of input, expected a value"),
        refused(" \n\t\r ", "unexpected end of input, expected a value"),
        // other syntax
        refused("[1,]", "unexpected character ']'"),
        refused("[,1]", "unexpected character ','"),
        refused("{\"a\":1,}", "expected a member name"),
        refused("{a:1}", "expected a member name"),
        refused("{1:1}", "expected a member name"),
        refused("{\"a\" 1}", "expected ':' after member name"),
        refused("[1 2]", "expected ',' or ']' in array"),
        refused("{\"a\":1 \"b\":2}", "expected ',' or '}' in object"),
        refused("'a'", "unexpected character '''"),
        refused("tru", "invalid literal, expected 'true'"),
        refused("nul", "invalid literal, expected 'null'"),
        refused("True", "unexpected character 'T'"),
        refused("\u00a0{}", "unexpected character U+00A0"),
        refused("\f{}", "unexpected character U+000C"),
        refused("😀", "unexpected character U+1F600"),
        refused("/* c */ {}", "unexpected character '/'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedText")
  void parse_malformedText_refusedNamingTheProblem(String input, String message) {
    assertThatThrownBy(() -> PARSER.parse(input.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining(message)
        .hasMessageContaining(" at character ");
  }

  static Stream<Arguments> refusedBytes() {
    return Stream.of(
        Arguments.of(bytes(0xFF), 0, "invalid byte 0xFF"),
        Arguments.of(bytes('"', 0xFE, '"'), 1, "invalid byte 0xFE in a string"),
        Arguments.of(bytes('"', 0xC0, 0xAF, '"'), 1, "overlong encoding of '/'"),
        Arguments.of(bytes('"', 0xE0, 0x80, 0xAF, '"'), 1, "three-byte overlong encoding"),
        Arguments.of(bytes('"', 0xF0, 0x80, 0x80, 0xAF, '"'), 1, "four-byte overlong encoding"),
        Arguments.of(bytes('"', 0xED, 0xA0, 0x80, '"'), 1, "UTF-8-encoded surrogate U+D800"),
        Arguments.of(bytes('"', 0xED, 0xBF, 0xBF, '"'), 1, "UTF-8-encoded surrogate U+DFFF"),
        Arguments.of(bytes('"', 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, '"'), 1, "CESU-8 pair"),
        Arguments.of(bytes('"', 0xE2, 0x82, '"'), 1, "truncated three-byte sequence"),
        Arguments.of(bytes('"', 0xE2, 0x82), 1, "truncated sequence at the end"),
        Arguments.of(bytes('"', 0xF0, 0x9F, 0x98), 1, "truncated four-byte sequence at the end"),
        Arguments.of(bytes('"', 0x80, '"'), 1, "lone continuation byte"),
        Arguments.of(bytes('"', 0xF4, 0x90, 0x80, 0x80, '"'), 1, "code point above U+10FFFF"),
        Arguments.of(bytes('"', 0xF8, 0x88, 0x80, 0x80, 0x80, '"'), 1, "five-byte form"),
        Arguments.of(
            bytes('{', '"', 0xC3, 0xA9, '"', ':', '"', 0xE6, 0x97, 0xFF, '"', '}'),
            7,
            "bad continuation after valid multi-byte characters"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("refusedBytes")
  void parse_malformedUtf8_refusedNamingTheByte(byte[] input, int offset, String description) {
    assertThatThrownBy(() -> PARSER.parse(input))
        .as(description)
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("JSON document is not valid UTF-8 at byte " + offset);
  }

  @Test
  void parse_byteOrderMark_refused() {
    byte[] input = bytes(0xEF, 0xBB, 0xBF, '{', '}');

    assertThatThrownBy(() -> PARSER.parse(input))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("byte-order mark");
  }

  @Test
  void parse_byteOrderMarkInsideString_accepted() {
    assertThat(PARSER.parse(utf8("\"\uFEFF\""))).isEqualTo(new JsonString("\uFEFF"));
  }

  @Test
  void parse_nestingAtCap_accepted() {
    JsonParser parser = JsonParser.withCaps(1024, 3);

    assertThat(parser.parse(utf8("[[[1]]]"))).isEqualTo(arrays(3, new JsonNumber(1)));
    assertThat(parser.parse(utf8("{\"a\":{\"b\":[]}}"))).isInstanceOf(JsonObject.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[[[[1]]]]", "{\"a\":{\"b\":{\"c\":{}}}}", "[{\"a\":[{}]}]", "[[[[]]]]"})
  void parse_nestingBeyondCap_refused(String input) {
    JsonParser parser = JsonParser.withCaps(1024, 3);

    assertThatThrownBy(() -> parser.parse(utf8(input)))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("nesting deeper than the cap of 3");
  }

  @Test
  void parse_defaultNestingCap_is64() {
    assertThat(PARSER.parse(utf8("[".repeat(64) + "]".repeat(64)))).isInstanceOf(JsonArray.class);
    assertThatThrownBy(() -> PARSER.parse(utf8("[".repeat(65) + "]".repeat(65))))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("nesting deeper than the cap of 64");
  }

  @Test
  void parse_deepNestingFarBeyondCap_refusedWithoutStackOverflow() {
    byte[] input = utf8("[".repeat(1_000_000));

    assertThatThrownBy(() -> PARSER.parse(input))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("nesting deeper than the cap");
  }

  @Test
  void parse_sizeAtCap_accepted() {
    assertThat(JsonParser.withCaps(10, 64).parse(utf8("\"12345678\""))).isNotNull();
  }

  @Test
  void parse_sizeBeyondCap_refusedBeforeDecoding() {
    // A bad first byte would be reported as malformed UTF-8 if the input were decoded first.
    byte[] input = new byte[11];
    Arrays.fill(input, (byte) 0xFF);

    assertThatThrownBy(() -> JsonParser.withCaps(10, 64).parse(input))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("JSON document is 11 bytes, more than the cap of 10");
  }

  @Test
  void parse_hugeInputBeyondDefaultCap_refusedBeforeDecoding() {
    byte[] input = new byte[JsonParser.DEFAULT_MAX_BYTES + 1];
    input[0] = (byte) 0xFF;

    assertThatThrownBy(() -> PARSER.parse(input))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("more than the cap of " + JsonParser.DEFAULT_MAX_BYTES)
        .hasMessageNotContaining("UTF-8");
  }

  @Test
  void withCaps_nonPositive_refused() {
    assertThatThrownBy(() -> JsonParser.withCaps(0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonParser.withCaps(1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_duplicateKeyMessage_isBoundedAndPrintable() {
    String key = "\u001b[31m" + "k".repeat(10_000);
    String json = "{\"" + escapeControl(key) + "\":1,\"" + escapeControl(key) + "\":2}";

    assertThatThrownBy(() -> PARSER.parse(utf8(json)))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageStartingWith("duplicate member name '\\u001b[31mkkk")
        .hasMessageContaining("(10005 characters, truncated)")
        .hasMessageNotContaining("\u001b")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  @Test
  void parse_hugeIntegerMessage_isBounded() {
    String digits = "9".repeat(100_000);

    assertThatThrownBy(() -> PARSER.parse(utf8(digits)))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageContaining("(100000 characters) is outside the signed 64-bit range")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"s\"", "1", "null", "true"})
  void parseObject_nonObject_refused(String input) {
    assertThatThrownBy(() -> PARSER.parseObject(utf8(input)))
        .isInstanceOf(JsonFormatException.class)
        .hasMessageStartingWith("expected a JSON object at top level, found ");
  }

  @Test
  void parseObject_object_returnsIt() {
    assertThat(PARSER.parseObject(utf8("{\"a\":1}")).integer("a")).isEqualTo(1);
  }

  @Test
  void parse_bareValuesAtTopLevel_accepted() {
    assertThat(PARSER.parse(utf8("1"))).isEqualTo(new JsonNumber(1));
    assertThat(PARSER.parse(utf8("-0"))).isEqualTo(new JsonNumber(0));
    assertThat(PARSER.parse(utf8("\"s\""))).isEqualTo(new JsonString("s"));
    assertThat(PARSER.parse(utf8("true"))).isEqualTo(JsonBoolean.TRUE);
    assertThat(PARSER.parse(utf8("false"))).isEqualTo(JsonBoolean.FALSE);
    assertThat(PARSER.parse(utf8("null"))).isEqualTo(JsonNull.INSTANCE);
    assertThat(PARSER.parse(utf8("[]"))).isEqualTo(JsonArray.of());
    assertThat(PARSER.parse(utf8("{}"))).isEqualTo(JsonObject.empty());
  }

  @Test
  void parse_int64Bounds_accepted() {
    assertThat(PARSER.parse(utf8("[9223372036854775807,-9223372036854775808]")))
        .isEqualTo(JsonArray.of(new JsonNumber(Long.MAX_VALUE), new JsonNumber(Long.MIN_VALUE)));
  }

  @Test
  void parse_standardWhitespaceEverywhere_accepted() {
    String json =
        " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ } \t\r\n] \t\r\n} \t\r\n";

    assertThat(PARSER.parse(utf8(json)))
        .isEqualTo(
            JsonObject.builder()
                .put("a", JsonArray.of(new JsonNumber(1), JsonObject.empty()))
                .build());
  }

  @Test
  void parse_everyEscape_decodes() {
    String json =
        "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\u00E9 \\u4e2d \\ud83d\\ude00"
            + " \\uD83D\\uDE00 \\uffff \\ue000 \\u0000 \\u001F\"";

    assertThat(PARSER.parse(utf8(json)))
        .isEqualTo(
            new JsonString("\" \\ / \b \f \n \r \t A é é 中 😀 😀 \uFFFF \uE000 \u0000 \u001F"));
  }

  @Test
  void parse_rawNonAsciiAndDelete_accepted() {
    String text = "é 中 😀 \u007f \u2028 \u2029 \uE000 \uFFFE \uFFFF \uDBFF\uDFFF";

    assertThat(PARSER.parse(utf8("\"" + text + "\""))).isEqualTo(new JsonString(text));
  }

  /**
   * python-tuf's own test metadata, written by its pretty serializer (indent 1, sorted keys):
   * tests/repository_data/repository/metadata/1.root.json at commit 9593fa1 of
   * theupdateframework/python-tuf.
   */
  @Test
  void parse_pythonTufPrettyMetadata_accepted() throws IOException {
    byte[] metadata;
    try (InputStream in = JsonParserTest.class.getResourceAsStream("python-tuf-1.root.json")) {
      assertThat(in).isNotNull();
      metadata = in.readAllBytes();
    }

    JsonObject root = PARSER.parseObject(metadata);

    JsonObject signed = root.object("signed");
    assertThat(signed.string("_type")).isEqualTo("Root");
    assertThat(signed.integer("version")).isEqualTo(1);
    assertThat(signed.bool("consistent_snapshot")).isFalse();
    assertThat(signed.object("keys").members()).hasSize(4);
    assertThat(signed.object("roles").object("root").array("keyids").get(0))
        .isEqualTo(
            new JsonString("5602f4df0cd26b2112f0833b1ce8d5fcbb595754961d3a04f37b9815e2ced503"));
    assertThat(
            signed
                .object("keys")
                .object("5602f4df0cd26b2112f0833b1ce8d5fcbb595754961d3a04f37b9815e2ced503")
                .object("keyval")
                .string("public"))
        .startsWith("-----BEGIN PUBLIC KEY-----\nMIIBojAN")
        .endsWith("\n-----END PUBLIC KEY-----");
    assertThat(root.array("signatures").size()).isEqualTo(1);
  }

  private static JsonValue arrays(int depth, JsonValue innermost) {
    JsonValue value = innermost;
    for (int i = 0; i < depth; i++) {
      value = JsonArray.of(value);
    }
    return value;
  }

  private static String escapeControl(String s) {
    StringBuilder out = new StringBuilder();
    s.chars()
        .forEach(
            c -> out.append(c < 0x20 ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return out.toString();
  }

  private static Arguments refused(String input, String message) {
    return Arguments.of(input, message);
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
