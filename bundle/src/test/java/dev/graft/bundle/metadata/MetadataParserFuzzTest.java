package dev.graft.bundle.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.PrettyJson;
import java.util.Arrays;

/**
 * Fuzzes the metadata parsers with arbitrary bytes: the first byte picks root, targets, snapshot or
 * timestamp, the rest is the file. The contract is that untrusted input is refused only with a
 * {@link TrustException} — never a {@code NullPointerException}, {@code ClassCastException}, {@code
 * DateTimeException}, stack overflow or the like — and that what parses also writes back and parses
 * again to the same signed bytes.
 *
 * <p>The normal build runs the seeds in {@code MetadataParserFuzzTestInputs/} (real signed files,
 * the first byte 0–3 selecting the parser) in regression mode; {@code JAZZER_FUZZ=1} fuzzes.
 */
class MetadataParserFuzzTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();

  @FuzzTest(maxDuration = "5m")
  void parse_arbitraryBytes_refusesOnlyWithTrustException(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] file = Arrays.copyOfRange(input, 1, input.length);
    SignedMetadata<?> parsed;
    try {
      parsed = parse(input[0], file);
    } catch (TrustException refused) {
      return; // the one permitted way to refuse
    }
    SignedMetadata<?> again = parse(input[0], PrettyJson.encode(parsed.toJson()));
    assertThat(again.canonicalSigned()).isEqualTo(parsed.canonicalSigned());
    assertThat(again.signed()).isEqualTo(parsed.signed());
  }

  private static SignedMetadata<?> parse(byte selector, byte[] file) {
    return switch (selector & 3) {
      case 0 -> SignedMetadata.parseRoot(file, PARSER);
      case 1 -> SignedMetadata.parseTargets(file, PARSER);
      case 2 -> SignedMetadata.parseSnapshot(file, PARSER);
      default -> SignedMetadata.parseTimestamp(file, PARSER);
    };
  }
}
