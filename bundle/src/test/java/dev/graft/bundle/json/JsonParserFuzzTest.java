package dev.graft.bundle.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.graft.bundle.JsonFormatException;

/**
 * Fuzzes the strict parser. The normal build runs it in regression mode: once on the empty input
 * and once on each seed in {@code
 * src/test/resources/dev/graft/bundle/json/JsonParserFuzzTestInputs/ parse/} (Jazzer's {@code
 * <Class>Inputs/<method>} convention), where crashing inputs found while fuzzing should be added
 * too. To fuzz (5 minutes unless {@code jazzer.max_duration} says otherwise; the generated corpus
 * lands in {@code bundle/.cifuzz-corpus/}):
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -o test -pl bundle -Dtest=JsonParserFuzzTest -Djazzer.max_duration=30s
 * </pre>
 *
 * <p>Properties: the parser throws nothing but {@link JsonFormatException}, and what it accepts
 * survives canonical and pretty encoding. Canonical JSON writes control characters raw, which RFC
 * 8259 forbids, so for values holding one the canonical bytes must be refused rather than reparsed.
 */
class JsonParserFuzzTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();

  @FuzzTest(maxDuration = "5m")
  void parse(byte[] input) {
    JsonValue value;
    try {
      value = PARSER.parse(input);
    } catch (JsonFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }

    byte[] canonical = CanonicalJson.encode(value);
    assertThat(canonical.length).isLessThanOrEqualTo(input.length);
    if (hasControlCharacter(value)) {
      assertThatThrownBy(() -> PARSER.parse(canonical))
          .isInstanceOf(JsonFormatException.class)
          .hasMessageContaining("unescaped control character");
    } else {
      JsonValue reparsed = PARSER.parse(canonical);
      assertThat(reparsed).isEqualTo(value);
      assertThat(CanonicalJson.encode(reparsed)).isEqualTo(canonical);
    }

    JsonValue fromPretty = PARSER.parse(PrettyJson.encode(value));
    assertThat(fromPretty).isEqualTo(value);
    assertThat(CanonicalJson.encode(fromPretty)).isEqualTo(canonical);
  }

  private static boolean hasControlCharacter(JsonValue value) {
    return switch (value) {
      case JsonString s -> hasControlCharacter(s.value());
      case JsonArray a -> a.values().stream().anyMatch(JsonParserFuzzTest::hasControlCharacter);
      case JsonObject o ->
          o.members().entrySet().stream()
              .anyMatch(e -> hasControlCharacter(e.getKey()) || hasControlCharacter(e.getValue()));
      case JsonNumber n -> false;
      case JsonDecimal d -> false;
      case JsonBoolean b -> false;
      case JsonNull n -> false;
    };
  }

  private static boolean hasControlCharacter(String s) {
    return s.chars().anyMatch(c -> c < 0x20);
  }
}
