package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random input for the parser, from a fixed seed so that a failure can be replayed. The strings are
 * built from URI fragments (attribute names, delimiters, escapes, awkward characters) so that a
 * good share of them parse and the rest fail deep inside the grammar, not just at the scheme.
 */
class Pkcs11UriPropertyTest {
  private static final long SEED = 7512;
  private static final int RUNS = 2000;

  /** Stands for a PIN: never produced by the generator except right after "pin-value=". */
  private static final String MARKER = "Zq9Xw";

  private static final List<String> FRAGMENTS =
      List.of(
          "token=",
          "object=",
          "id=",
          "type=",
          "serial=",
          "slot-id=",
          "library-version=",
          "manufacturer=",
          "pin-source=",
          "module-path=",
          "module-name=",
          "x-acme=",
          "Token=",
          "pin-value",
          "pin%2Dvalue=",
          "PIN-VALUE=",
          ";",
          ";",
          ";",
          "?",
          "&",
          "&",
          "=",
          "%",
          "#",
          " ",
          "%00",
          "%ff",
          "%C3",
          "%A1",
          "%C3%A1",
          "%2",
          "%G1",
          "%25",
          "%3B",
          "public",
          "private",
          "secret-key",
          "1.2",
          "42",
          "18446744073709551616",
          "/usr/lib/x.so",
          "lib.so",
          "file:/p",
          "env:X",
          "<redacted>",
          "a",
          "b",
          "-",
          "_",
          ".",
          "~",
          ":",
          "/",
          "|",
          "[",
          "]",
          "@",
          "!",
          "$",
          "'",
          "(",
          ")",
          "*",
          "+",
          ",",
          "\u00e1",
          "\n",
          "\u0000",
          "\ud83d\udd11",
          "\ud800");

  @Test
  void parse_randomStrings_onlyEverThrowsPkcs11UriException() {
    Random random = new Random(SEED);
    int parsed = 0;
    int refused = 0;
    for (int run = 0; run < RUNS; run++) {
      String text = randomUri(random);
      try {
        Pkcs11Uri uri = Pkcs11Uri.parse(text);
        parsed++;
        // Whatever parses must come back equal through its canonical form.
        assertThat(Pkcs11Uri.parse(uri.toUriString())).as("round trip of %s", text).isEqualTo(uri);
        assertThat(uri.toString()).doesNotContain(MARKER);
      } catch (Pkcs11UriException e) {
        refused++;
        assertThat(e.getMessage()).as("message for %s", text).doesNotContain(MARKER);
      } catch (RuntimeException e) {
        fail("run %d (seed %d): %s threw %s", run, SEED, text, e);
      }
    }
    // Both outcomes must be common, or the generator tests less than it seems to.
    assertThat(parsed).isGreaterThan(RUNS / 10);
    assertThat(refused).isGreaterThan(RUNS / 10);
  }

  @Test
  void build_randomValues_parseBackEqual() {
    Random random = new Random(SEED);
    for (int run = 0; run < RUNS; run++) {
      byte[] id = new byte[random.nextInt(20)];
      random.nextBytes(id);
      Pkcs11Uri.Builder builder =
          Pkcs11Uri.builder()
              .token(randomText(random))
              .object(randomText(random))
              .serial(randomText(random))
              .id(id)
              .moduleName(randomText(random))
              .modulePath("/" + randomText(random))
              .vendorPathAttribute("x-v", randomText(random))
              .vendorQueryAttribute("x-v", randomText(random))
              .slotId(random.nextLong());
      if (random.nextBoolean()) {
        builder.pinValue(randomText(random));
      } else {
        builder.pinSource(randomText(random));
      }
      Pkcs11Uri built = builder.build();

      Pkcs11Uri parsed = Pkcs11Uri.parse(built.toUriString());

      assertThat(parsed).as("run %d: %s", run, built.toUriString()).isEqualTo(built);
    }
  }

  private static final List<String> PATH_NAMES =
      List.of("token", "object", "serial", "model", "manufacturer", "slot-description", "x-acme");
  private static final List<String> QUERY_NAMES =
      List.of("module-name", "module-path", "pin-source", "pin-value", "x-acme");
  private static final List<String> VALUES =
      List.of("", "a", "graft-release", "%C3%A1", "%25", "a:b", "1.0", "/usr/lib/x.so", "%20");

  /** Half well-formed URIs, sometimes with one fragment spliced in; half fragment soup. */
  private static String randomUri(Random random) {
    if (random.nextBoolean()) {
      return randomSoup(random);
    }
    StringBuilder text = new StringBuilder("pkcs11:");
    int path = random.nextInt(4);
    for (int i = 0; i < path; i++) {
      text.append(i == 0 ? "" : ";").append(PATH_NAMES.get(random.nextInt(PATH_NAMES.size())));
      text.append('=').append(VALUES.get(random.nextInt(VALUES.size())));
    }
    int query = random.nextInt(3);
    for (int i = 0; i < query; i++) {
      String name = QUERY_NAMES.get(random.nextInt(QUERY_NAMES.size()));
      text.append(i == 0 ? "?" : "&").append(name).append('=');
      text.append(name.equals("pin-value") ? MARKER : VALUES.get(random.nextInt(VALUES.size())));
    }
    if (random.nextInt(4) == 0) {
      text.insert(
          "pkcs11:".length() + random.nextInt(text.length() - "pkcs11:".length() + 1),
          FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
    }
    return text.toString();
  }

  private static String randomSoup(Random random) {
    StringBuilder text = new StringBuilder();
    int choice = random.nextInt(10);
    if (choice < 7) {
      text.append("pkcs11:");
    } else if (choice < 8) {
      text.append("PKCS11:");
    }
    int parts = random.nextInt(16);
    for (int i = 0; i < parts; i++) {
      int kind = random.nextInt(12);
      if (kind == 0) {
        text.append(
                switch (random.nextInt(3)) {
                  case 0 -> "?";
                  case 1 -> "&";
                  default -> ";";
                })
            .append("pin-value=")
            .append(MARKER);
      } else if (kind < 3) {
        text.appendCodePoint(randomCodePoint(random));
      } else {
        text.append(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
      }
    }
    return text.toString();
  }

  /** Any Unicode text without NUL or unpaired surrogates, the characters values may hold. */
  private static String randomText(Random random) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      int codePoint;
      do {
        codePoint = randomCodePoint(random);
      } while (codePoint == 0 || Character.getType(codePoint) == Character.SURROGATE);
      text.appendCodePoint(codePoint);
    }
    return text.toString();
  }

  private static int randomCodePoint(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> random.nextInt(0x80);
      case 1 -> 0x20 + random.nextInt(0x5f);
      case 2 -> random.nextInt(0x800);
      default -> random.nextInt(Character.MAX_CODE_POINT + 1);
    };
  }
}
