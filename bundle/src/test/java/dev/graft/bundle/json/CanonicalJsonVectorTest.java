package dev.graft.bundle.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves {@link CanonicalJson} writes the same bytes as securesystemslib's {@code
 * encode_canonical}: against vectors that securesystemslib generated once (see
 * resources/canonical-json/README.md), and live against securesystemslib itself when Debian's
 * interpreter can import it.
 */
class CanonicalJsonVectorTest {
  private static final String ROOT = "/canonical-json/";
  private static final List<String> INPUTS =
      List.of("standard.json", "noncanonical.json", "pretty.json");
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final int RANDOM_VALUES = 400;

  static Stream<Arguments> vectorInputs() {
    return vectorNames().stream()
        .flatMap(name -> INPUTS.stream().map(input -> Arguments.of(name, input)));
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("vectorInputs")
  void encode_securesystemslibVector_matchesExpectedBytes(String name, String input) {
    byte[] expected = resource(name + "/canonical.bin");

    byte[] actual =
        CanonicalJson.encode(JsonParser.withDefaults().parse(resource(name + "/" + input)));

    assertThat(actual)
        .as("canonical bytes of %s/%s, as text: %s", name, input, utf8(actual))
        .isEqualTo(expected);
  }

  @Test
  void vectors_coverTheRequiredCases() {
    assertThat(vectorNames()).hasSizeGreaterThanOrEqualTo(25);
    String all =
        vectorNames().stream()
            .map(name -> utf8(resource(name + "/canonical.bin")))
            .reduce("", String::concat);
    assertThat(all)
        .contains("\u00e9", "\u6f22", "\uD83D\uDE00", "\uE000", "\uFFFF", "\\\"", "\\\\")
        .contains("\n", "\t", "\u0001", "{}", "[]", "-9223372036854775808", "9223372036854775807");
  }

  /**
   * The ordering vector only proves something if Java's default String order would get it wrong:
   * check that code-unit order and code-point order really disagree on its keys.
   */
  @Test
  void orderingVector_differsBetweenUtf16AndCodePointOrder() {
    JsonObject canonical =
        JsonParser.withDefaults()
            .parseObject(resource("key_order_code_point_vs_utf16/canonical.bin"));
    List<String> keys = List.copyOf(canonical.members().keySet());

    assertThat(keys).isSortedAccordingTo(CanonicalJson.CODE_POINT_ORDER);
    assertThat(keys.stream().sorted().toList()).isNotEqualTo(keys);
  }

  @Test
  void encode_sameInputsAsLiveSecuresystemslib_matches() throws Exception {
    assumeSecuresystemslib();
    List<byte[]> documents = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (String name : vectorNames()) {
      for (String input : INPUTS) {
        documents.add(resource(name + "/" + input));
        labels.add(name + "/" + input);
      }
    }

    List<byte[]> python = securesystemslibEncode(documents);

    assertThat(python).hasSameSizeAs(documents);
    for (int i = 0; i < documents.size(); i++) {
      byte[] java = CanonicalJson.encode(JsonParser.withDefaults().parse(documents.get(i)));
      assertThat(java).as("%s: Java %s", labels.get(i), utf8(java)).isEqualTo(python.get(i));
    }
  }

  @Test
  void encode_randomValuesReencodedBySecuresystemslib_matches() throws Exception {
    assumeSecuresystemslib();
    RandomJson random = RandomJson.withSeed(20260504L);
    List<JsonValue> values = new ArrayList<>();
    List<byte[]> documents = new ArrayList<>();
    for (int i = 0; i < RANDOM_VALUES; i++) {
      JsonValue value = random.value(5);
      values.add(value);
      documents.add(CanonicalJson.encode(value));
    }

    List<byte[]> python = securesystemslibEncode(documents);

    assertThat(python).hasSameSizeAs(documents);
    for (int i = 0; i < documents.size(); i++) {
      assertThat(python.get(i))
          .as("random value %d: %s\nJava bytes %s", i, values.get(i), hex(documents.get(i)))
          .isEqualTo(documents.get(i));
    }
  }

  private static void assumeSecuresystemslib() throws InterruptedException {
    boolean available;
    try {
      Process process =
          new ProcessBuilder(PYTHON.toString(), "-c", "import securesystemslib.formats")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      available = process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      available = false;
    }
    Assumptions.assumeTrue(available, PYTHON + " cannot import securesystemslib");
  }

  /** Runs encode_stream.py over the documents: one process, length-framed records both ways. */
  private static List<byte[]> securesystemslibEncode(List<byte[]> documents)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(PYTHON.toString(), resourcePath("encode_stream.py").toString()).start();
    // The script reads all of stdin before writing, so writing everything first cannot deadlock.
    try (OutputStream stdin = process.getOutputStream()) {
      DataOutputStream out = new DataOutputStream(stdin);
      for (byte[] document : documents) {
        out.writeInt(document.length);
        out.write(document);
      }
      out.flush();
    }
    byte[] stdout;
    try (InputStream in = process.getInputStream()) {
      stdout = in.readAllBytes();
    }
    String stderr;
    try (InputStream err = process.getErrorStream()) {
      stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("encode_stream.py failed: %s", stderr).isZero();
    List<byte[]> results = new ArrayList<>();
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(stdout));
    while (in.available() > 0) {
      byte[] record = new byte[in.readInt()];
      in.readFully(record);
      results.add(record);
    }
    return results;
  }

  private static List<String> vectorNames() {
    return utf8(resource("index.txt")).lines().filter(line -> !line.isBlank()).toList();
  }

  private static byte[] resource(String relative) {
    try (InputStream in =
        CanonicalJsonVectorTest.class.getResourceAsStream(ROOT + "vectors/" + relative)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + relative);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path resourcePath(String name) {
    URL url = CanonicalJsonVectorTest.class.getResource(ROOT + name);
    if (url == null) {
      throw new IllegalStateException("missing test resource " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(Arrays.copyOf(bytes, Math.min(bytes.length, 256)));
  }
}
