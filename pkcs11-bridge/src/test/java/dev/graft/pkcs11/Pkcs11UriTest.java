package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.pkcs11.Pkcs11Uri.ObjectType;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Pkcs11UriTest {
  private static final String ATTRIBUTE_LIST =
      "Graft accepts the attributes RFC 7512 defines (token, manufacturer, serial, model,"
          + " library-manufacturer, library-description, library-version, slot-manufacturer,"
          + " slot-description, slot-id, object, type, id; pin-source, pin-value, module-name,"
          + " module-path) and vendor attributes named x-…";

  /** Every attribute the URI holds, by name; {@code id} in lower-case hex. */
  static Map<String, String> attributes(Pkcs11Uri uri) {
    Map<String, String> all = new LinkedHashMap<>();
    uri.token().ifPresent(v -> all.put("token", v));
    uri.manufacturer().ifPresent(v -> all.put("manufacturer", v));
    uri.serial().ifPresent(v -> all.put("serial", v));
    uri.model().ifPresent(v -> all.put("model", v));
    uri.libraryManufacturer().ifPresent(v -> all.put("library-manufacturer", v));
    uri.libraryDescription().ifPresent(v -> all.put("library-description", v));
    uri.libraryVersion().ifPresent(v -> all.put("library-version", v));
    uri.slotManufacturer().ifPresent(v -> all.put("slot-manufacturer", v));
    uri.slotDescription().ifPresent(v -> all.put("slot-description", v));
    uri.slotId().ifPresent(v -> all.put("slot-id", Long.toUnsignedString(v)));
    uri.object().ifPresent(v -> all.put("object", v));
    uri.type().ifPresent(v -> all.put("type", v.word()));
    uri.id().ifPresent(v -> all.put("id", HexFormat.of().formatHex(v)));
    uri.pinSource().ifPresent(v -> all.put("pin-source", v));
    uri.pinValue().ifPresent(v -> all.put("pin-value", v));
    uri.moduleName().ifPresent(v -> all.put("module-name", v));
    uri.modulePath().ifPresent(v -> all.put("module-path", v.toString()));
    uri.vendorPathAttributes().forEach((k, v) -> all.put("path " + k, v));
    uri.vendorQueryAttributes().forEach((k, v) -> all.put("query " + k, v));
    return all;
  }

  /** Every example of RFC 7512 section 3.3 but the last (see the test after this one). */
  static Stream<Arguments> rfc7512Examples() {
    return Stream.of(
        Arguments.of("pkcs11:", Map.of()),
        Arguments.of(
            "pkcs11:object=my-pubkey;type=public", Map.of("object", "my-pubkey", "type", "public")),
        Arguments.of(
            "pkcs11:object=my-key;type=private?pin-source=file:/etc/token",
            Map.of("object", "my-key", "type", "private", "pin-source", "file:/etc/token")),
        Arguments.of(
            "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;"
                + "manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;"
                + "id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin",
            Map.of(
                "token", "The Software PKCS#11 Softtoken",
                "manufacturer", "Snake Oil, Inc.",
                "model", "1.0",
                "object", "my-certificate",
                "type", "cert",
                "id", "69953e5cf4bdec91",
                "serial", "",
                "pin-source", "file:/etc/token_pin")),
        Arguments.of(
            "pkcs11:object=my-sign-key;type=private?module-name=mypkcs11",
            Map.of("object", "my-sign-key", "type", "private", "module-name", "mypkcs11")),
        Arguments.of(
            "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1",
            Map.of(
                "object",
                "my-sign-key",
                "type",
                "private",
                "module-path",
                "/mnt/libmypkcs11.so.1")),
        Arguments.of(
            "pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc."
                + "?pin-value=the-pin",
            Map.of(
                "token",
                "Software PKCS#11 softtoken",
                "manufacturer",
                "Snake Oil, Inc.",
                "pin-value",
                "the-pin")),
        Arguments.of(
            "pkcs11:slot-description=Sun%20Metaslot", Map.of("slot-description", "Sun Metaslot")),
        Arguments.of(
            "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;"
                + "library-description=Soft%20Token%20Library;library-version=1.23",
            Map.of(
                "library-manufacturer", "Snake Oil, Inc.",
                "library-description", "Soft Token Library",
                "library-version", "1.23")),
        Arguments.of(
            "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;"
                + "id=%01%02%03%Ba%dd%Ca%fe%04%05%06",
            Map.of(
                "token",
                "My token% created by Joe",
                "library-version",
                "3",
                "id",
                "010203baddcafe040506")),
        Arguments.of(
            "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert",
            Map.of(
                "token", "A name with a substring %;", "object", "my-certificate", "type", "cert")),
        Arguments.of(
            "pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;"
                + "object=my-certificate;type=cert",
            Map.of(
                "token",
                "Name with a small A with acute: \u00e1",
                "object",
                "my-certificate",
                "type",
                "cert")));
  }

  @ParameterizedTest
  @MethodSource("rfc7512Examples")
  void parse_rfc7512Example_readsEveryAttribute(String text, Map<String, String> expected) {
    Pkcs11Uri uri = Pkcs11Uri.parse(text);

    assertThat(attributes(uri)).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("rfc7512Examples")
  void toUriString_rfc7512Example_parsesBackEqualAndIsStable(
      String text, Map<String, String> ignored) {
    Pkcs11Uri uri = Pkcs11Uri.parse(text);

    Pkcs11Uri again = Pkcs11Uri.parse(uri.toUriString());

    assertThat(again).isEqualTo(uri).hasSameHashCodeAs(uri);
    assertThat(again.toUriString()).isEqualTo(uri.toUriString());
  }

  @Test
  void parse_rfc7512VendorExampleWithoutXPrefix_isRefusedAsUnknownAttribute() {
    // Graft's one deliberate departure from the RFC's examples: vendor attribute names must
    // start with "x-", so that a misspelt standard attribute is reported, not ignored.
    String text =
        "pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a"
            + "?pin-source=file:/etc/token_pin&vendor-bbb=value-b";

    assertThatThrownBy(() -> Pkcs11Uri.parse(text))
        .isInstanceOf(Pkcs11UriException.class)
        .hasMessage(
            "invalid PKCS#11 URI \"pkcs11:token=my-token;object=my-certificate;type=cert;"
                + "vendor-aaa=<redacted>?pin-source=file:/etc/token_pin&vendor-bbb=<redacted>\":"
                + " unknown attribute \"vendor-aaa\" at character 55: "
                + ATTRIBUTE_LIST);
  }

  @Test
  void parse_rfc7512VendorExampleWithXPrefix_keepsVendorAttributes() {
    Pkcs11Uri uri =
        Pkcs11Uri.parse(
            "pkcs11:token=my-token;object=my-certificate;type=cert;x-vendor-aaa=value-a"
                + "?pin-source=file:/etc/token_pin&x-vendor-bbb=value-b");

    assertThat(attributes(uri))
        .isEqualTo(
            Map.of(
                "token", "my-token",
                "object", "my-certificate",
                "type", "cert",
                "pin-source", "file:/etc/token_pin",
                "path x-vendor-aaa", "value-a",
                "query x-vendor-bbb", "value-b"));
  }

  @Test
  void parse_graftReleaseKey_readsTokenObjectModuleAndPinSource() {
    Pkcs11Uri uri =
        Pkcs11Uri.parse(
            "pkcs11:token=graft-release;object=targets-1;type=private"
                + "?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:GRAFT_PIN");

    assertThat(uri.token()).contains("graft-release");
    assertThat(uri.object()).contains("targets-1");
    assertThat(uri.type()).contains(ObjectType.PRIVATE);
    assertThat(uri.modulePath()).contains(Path.of("/usr/lib/softhsm/libsofthsm2.so"));
    assertThat(uri.pinSource()).contains("env:GRAFT_PIN");
    assertThat(uri.requireKeyReference()).isSameAs(uri);
  }

  @Test
  void parse_upperCaseScheme_isAccepted() {
    assertThat(Pkcs11Uri.parse("PKCS11:token=a").token()).contains("a");
  }

  @Test
  void parse_nulInId_isKeptAsAByte() {
    // id is binary (CKA_ID): any byte is legal, NUL included. Text attributes refuse %00.
    assertThat(Pkcs11Uri.parse("pkcs11:id=%00%01%ff").id())
        .hasValueSatisfying(id -> assertThat(id).containsExactly(0x00, 0x01, 0xff));
  }

  @Test
  void parse_emptyQuery_isAccepted() {
    assertThat(Pkcs11Uri.parse("pkcs11:token=a?")).isEqualTo(Pkcs11Uri.parse("pkcs11:token=a"));
  }

  @Test
  void parse_largestSlotId_isReadAsUnsigned() {
    Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:slot-id=18446744073709551615");

    assertThat(uri.slotId()).hasValue(-1L);
    assertThat(uri.toUriString()).isEqualTo("pkcs11:slot-id=18446744073709551615");
  }

  @Test
  void parse_rawCharactersTheGrammarAllows_areKept() {
    Pkcs11Uri uri =
        Pkcs11Uri.parse("pkcs11:object=a:b[c]@d!e$f'g(h)i*j+k,l=m&n~o?pin-source=file:/p?q|r");

    assertThat(uri.object()).contains("a:b[c]@d!e$f'g(h)i*j+k,l=m&n~o");
    assertThat(uri.pinSource()).contains("file:/p?q|r");
  }

  private static Arguments invalid(String text, String problem) {
    return Arguments.of(text, text, problem);
  }

  private static Arguments invalid(String text, String shown, String problem) {
    return Arguments.of(text, shown, problem);
  }

  static Stream<Arguments> invalidUris() {
    return Stream.of(
        invalid("pkcs12:token=a", "pkcs12:token=<redacted>", "it does not start with \"pkcs11:\""),
        invalid("token=a;object=b", "it does not start with \"pkcs11:\""),
        invalid(
            "pkcs11:token=a;foo=b",
            "pkcs11:token=a;foo=<redacted>",
            "unknown attribute \"foo\" at character 16: " + ATTRIBUTE_LIST),
        invalid(
            "pkcs11:Token=a",
            "pkcs11:Token=<redacted>",
            "unknown attribute \"Token\" at character 8: "
                + ATTRIBUTE_LIST
                + "; attribute names are case-sensitive: did you mean \"token\"?"),
        invalid(
            "pkcs11:x-=a",
            "pkcs11:x-=<redacted>",
            "unknown attribute \"x-\" at character 8: " + ATTRIBUTE_LIST),
        invalid(
            "pkcs11:object=a;object=b",
            "attribute \"object\" appears twice, at characters 8 and 17"),
        invalid(
            "pkcs11:token=a?module-name=m&module-name=n",
            "attribute \"module-name\" appears twice, at characters 16 and 30"),
        invalid(
            "pkcs11:x-a=1;x-a=2", "vendor attribute \"x-a\" appears twice, at characters 8 and 14"),
        invalid(
            "pkcs11:token=a%2",
            "malformed percent-escape at character 15 in attribute \"token\": '%' must be"
                + " followed by two hex digits"),
        invalid(
            "pkcs11:token=a%G0",
            "malformed percent-escape at character 15 in attribute \"token\": '%' must be"
                + " followed by two hex digits"),
        invalid(
            "pkcs11:id=%0",
            "malformed percent-escape at character 11 in attribute \"id\": '%' must be followed"
                + " by two hex digits"),
        invalid(
            "pkcs11:token=a%00b",
            "attribute \"token\" at character 8 holds a NUL character (%00), which Graft refuses"
                + " in text attributes: C code would cut the text short there"),
        invalid(
            "pkcs11:token=%C3",
            "attribute \"token\" at character 8 is not valid UTF-8 once percent-decoded"),
        invalid(
            "pkcs11:token=a;object=b?module-path=lib.so",
            "attribute \"module-path\" at character 25 is \"lib.so\", not an absolute path: give"
                + " the module's full path, for example /usr/lib/softhsm/libsofthsm2.so"),
        invalid(
            "pkcs11:=a",
            "pkcs11:=<redacted>",
            "empty attribute name before the '=' at character 8"),
        invalid("pkcs11:token", "\"token\" at character 8 has no '=' and value"),
        invalid(
            "pkcs11:token=a;;object=b",
            "empty attribute after the ';' at character 15: remove the extra ';'"),
        invalid(
            "pkcs11:token=a;",
            "empty attribute after the ';' at character 15: remove the extra ';'"),
        invalid(
            "pkcs11:;token=a",
            "empty attribute before the ';' at character 8: remove the extra ';'"),
        invalid(
            "pkcs11:token=a?&module-name=m",
            "empty attribute before the '&' at character 16: remove the extra '&'"),
        invalid(
            "pkcs11:type=key",
            "attribute \"type\" at character 8 is \"key\", not one of public, private, cert,"
                + " secret-key, data"),
        invalid(
            "pkcs11:type=%70ublic",
            "attribute \"type\" at character 8 is \"%70ublic\", not one of public, private, cert,"
                + " secret-key, data"),
        invalid(
            "pkcs11:library-version=1.2.3",
            "attribute \"library-version\" at character 8 is \"1.2.3\", not a version (digits, or"
                + " digits.digits)"),
        invalid(
            "pkcs11:slot-id=18446744073709551616",
            "attribute \"slot-id\" at character 8 is \"18446744073709551616\", not a slot number"
                + " (decimal, below 2^64)"),
        invalid(
            "pkcs11:slot-id=-1",
            "attribute \"slot-id\" at character 8 is \"-1\", not a slot number (decimal, below"
                + " 2^64)"),
        invalid(
            "pkcs11:pin-source=file:/p",
            "\"pin-source\" at character 8 is a query attribute: it belongs after the '?'"),
        invalid(
            "pkcs11:?token=a",
            "\"token\" at character 9 is a path attribute: it belongs before the '?'"),
        invalid(
            "pkcs11:token=my token",
            "character U+0020 at character 16 in attribute \"token\" must be percent-encoded, as"
                + " %20"),
        invalid(
            "pkcs11:object=a/b",
            "character '/' at character 16 in attribute \"object\" must be percent-encoded, as"
                + " %2F"),
        invalid(
            "pkcs11:token=a#frag",
            "character '#' at character 15 in attribute \"token\" must be percent-encoded, as"
                + " %23"),
        invalid(
            "pkcs11:token=\u00e1",
            "character '\u00e1' at character 14 in attribute \"token\" must be percent-encoded,"
                + " as %C3%A1"),
        invalid(
            "pkcs11:token=a?pin-source=a;b",
            "character ';' at character 28 in attribute \"pin-source\" must be percent-encoded,"
                + " as %3B"),
        invalid(
            "pkcs11:to*ken=a",
            "pkcs11:to*ken=<redacted>",
            "attribute name \"to*ken\" at character 8 holds characters other than letters,"
                + " digits, '-' and '_'"));
  }

  @ParameterizedTest
  @MethodSource("invalidUris")
  void parse_invalidUri_isRefusedNamingTheProblem(String text, String shown, String problem) {
    assertThatThrownBy(() -> Pkcs11Uri.parse(text))
        .isInstanceOf(Pkcs11UriException.class)
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessage("invalid PKCS#11 URI \"" + shown + "\": " + problem);
  }

  static Stream<Arguments> delimitersOfTheOtherComponent() {
    return Stream.of(
        Arguments.of(
            "pkcs11:token=a;object=b&pin-value=1234",
            "pkcs11:token=a;object=b&pin-value=<redacted>",
            "\"pin-value\" at character 25 is a query attribute: it belongs after the '?'"),
        Arguments.of(
            "pkcs11:token=a&object=b",
            "pkcs11:token=a&object=b",
            "'&' at character 15 separates path attributes, which takes ';' (query attributes"
                + " follow a '?'); write an '&' that is part of a value as %26"),
        Arguments.of(
            "pkcs11:token=a?module-name=m;pin-source=file:/p",
            "pkcs11:token=a?module-name=m;pin-source=file:/p",
            "';' at character 29 separates query attributes, which takes '&'; write a ';' that is"
                + " part of a value as %3B"),
        Arguments.of(
            "pkcs11:token=a?module-path=/x.so?pin-value=1234",
            "pkcs11:token=a?module-path=/x.so?pin-value=<redacted>",
            "'?' at character 33 separates query attributes, which takes '&'; write a '?' that is"
                + " part of a value as %3F"));
  }

  @ParameterizedTest
  @MethodSource("delimitersOfTheOtherComponent")
  void parse_otherComponentsDelimiterBeforeAnAttribute_isRefused(
      String text, String shown, String problem) {
    assertThatThrownBy(() -> Pkcs11Uri.parse(text))
        .isInstanceOf(Pkcs11UriException.class)
        .hasMessage("invalid PKCS#11 URI \"" + shown + "\": " + problem);
  }

  @Test
  void parse_ampersandInPathValueNotBeforeAnAttribute_isPartOfTheValue() {
    assertThat(Pkcs11Uri.parse("pkcs11:object=a&b=c").object()).contains("a&b=c");
  }

  @Test
  void parse_controlCharacter_isEscapedInTheMessage() {
    assertThatThrownBy(() -> Pkcs11Uri.parse("pkcs11:token=a\nb"))
        .hasMessage(
            "invalid PKCS#11 URI \"pkcs11:token=a\\u000ab\": character U+000A at character 15 in"
                + " attribute \"token\" must be percent-encoded, as %0A");
  }

  @Test
  void parse_tooLong_isRefusedUnread() {
    String text = "pkcs11:token=" + "a".repeat(Pkcs11Uri.MAX_LENGTH);

    assertThatThrownBy(() -> Pkcs11Uri.parse(text))
        .isInstanceOf(Pkcs11UriException.class)
        .hasMessage(
            "a PKCS#11 URI of 8205 characters is refused: Graft reads URIs of at most 8192");
  }

  @Test
  void parse_bothPinSourceAndPinValue_isRefusedWithThePinRedacted() {
    assertThatThrownBy(
            () -> Pkcs11Uri.parse("pkcs11:token=a?pin-source=file:/p&pin-value=secret123"))
        .isInstanceOf(Pkcs11UriException.class)
        .hasMessage(
            "invalid PKCS#11 URI \"pkcs11:token=a?pin-source=file:/p&pin-value=<redacted>\": it"
                + " has both pin-source and pin-value; give one (pin-source keeps the PIN out of"
                + " the URI)");
  }

  @Test
  void parse_redactionPlaceholderAsPin_isRefused() {
    assertThatThrownBy(() -> Pkcs11Uri.parse("pkcs11:token=a?pin-value=<redacted>"))
        .hasMessage(
            "invalid PKCS#11 URI \"pkcs11:token=a?pin-value=<redacted>\": pin-value is"
                + " <redacted>, the placeholder Graft shows in place of a PIN; give the real PIN,"
                + " or better, a pin-source");
  }

  /** URIs with the PIN secret123 in them, each wrong in some way. */
  static Stream<String> urisWithAPinThatAreRefused() {
    return Stream.of(
        "pkcs11:token=t?pin-value=secret123&bogus=1",
        "pkcs11:token=t?pin-value=secret%G123",
        "pkcs11:token=t?pin-value=secret%2",
        "pkcs11:token=t?pin-value=secret 123",
        "pkcs11:token=t?pin-value=secret#123",
        "pkcs11:token=t?pin-value=secret;123",
        "pkcs11:token=t?pin-value=secret&123",
        "pkcs11:token=t?pin-value=secret&123&module-name=m",
        "pkcs11:token=t?pin-value=secret&=123",
        "pkcs11:token=t?pin-value=secret%00123",
        "pkcs11:token=t?pin-value=secret%FF123",
        "pkcs11:token=t;pin-value=secret123;object=o",
        "pkcs11:pin-value=secret?123",
        "pkcs11:pin-value=secret;123",
        "pkcs11:token=t?PIN-VALUE=secret123",
        "pkcs11:token=t?pin%2Dvalue=secret123",
        "pkcs11:token=t?pin-value=secret123&pin-value=secret123",
        "pkcs11:token=t?pin-source=file:/p&pin-value=secret123",
        "pkcs11:token=t?pin-value=secret123&foo",
        "token=t?pin-value=secret123",
        "http://example.com/?pin-value=secret123",
        "pkcs11:token=t;foo=x?pin-value=secret123",
        "pkcs11:token=t?pin-valeu=secret123",
        "pkcs11:token=t?pin=secret123",
        "pkcs11:token=t?pin value=secret123",
        "pkcs11:token=t;object=o&pin-value=secret123",
        "pkcs11:token=t?module-name=m;pin-value=secret123");
  }

  @ParameterizedTest
  @MethodSource("urisWithAPinThatAreRefused")
  void parse_refusedUriWithPin_neverShowsThePin(String text) {
    assertThatThrownBy(() -> Pkcs11Uri.parse(text))
        .isInstanceOf(Pkcs11UriException.class)
        .satisfies(e ->
            assertThat(e.getMessage())
                .doesNotContain("secret")
                .doesNotContain("123")
                .startsWith("invalid PKCS#11 URI \""));
  }

  @Test
  void parse_misspeltPinValue_hidesItsValue() {
    assertThatThrownBy(() -> Pkcs11Uri.parse("pkcs11:token=t?pin-valeu=secret&123&module-name=m"))
        .hasMessageStartingWith(
            "invalid PKCS#11 URI \"pkcs11:token=t?pin-valeu=<redacted>&module-name=m\": unknown"
                + " attribute \"pin-valeu\" at character 16: ");
  }

  @Test
  void parse_pinWithStrayAmpersand_redactsTheRestAndSaysWhy() {
    assertThatThrownBy(() -> Pkcs11Uri.parse("pkcs11:token=t?pin-value=secret&123&module-name=m"))
        .hasMessage(
            "invalid PKCS#11 URI \"pkcs11:token=t?pin-value=<redacted>&module-name=m\": text"
                + " follows pin-value that is not an attribute (not shown: it may be part of the"
                + " PIN); percent-encode '&', ';', '?' and '#' in a PIN, or better, use"
                + " pin-source");
  }

  @Test
  void requireKeyReference_onUriWithPin_neverShowsThePin() {
    Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=t?pin-value=secret123");

    assertThatThrownBy(uri::requireKeyReference)
        .isInstanceOf(Pkcs11UriException.class)
        .hasMessageNotContaining("secret123")
        .hasMessageContaining("pin-value=<redacted>");
  }

  @Test
  void toString_withPin_showsItRedacted() {
    Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=t;object=o?pin-value=secret123");

    assertThat(uri.toString())
        .isEqualTo("pkcs11:token=t;object=o?pin-value=<redacted>")
        .isEqualTo(uri.toRedactedUriString());
    assertThat(uri.toUriString()).isEqualTo("pkcs11:token=t;object=o?pin-value=secret123");
    assertThat(uri.pinValue()).contains("secret123");
  }

  @Test
  void toRedactedUriString_parsedBack_isRefusedRatherThanTriedAsAPin() {
    String redacted = Pkcs11Uri.parse("pkcs11:token=t?pin-value=1234").toRedactedUriString();

    assertThatThrownBy(() -> Pkcs11Uri.parse(redacted)).isInstanceOf(Pkcs11UriException.class);
  }

  static Stream<Arguments> keyReferences() {
    return Stream.of(
        Arguments.of("pkcs11:token=t;object=o", null),
        Arguments.of("pkcs11:serial=42;id=%01", null),
        Arguments.of("pkcs11:", "it has neither token= (or serial=) nor object= (or id=)"),
        Arguments.of("pkcs11:object=o", "it has no token= (or serial=) to pick the token"),
        Arguments.of(
            "pkcs11:token=t;type=private",
            "it has no object= (or id=) to pick the key on the token"));
  }

  @ParameterizedTest
  @MethodSource("keyReferences")
  void requireKeyReference_saysWhatIsMissing(String text, String missing) {
    Pkcs11Uri uri = Pkcs11Uri.parse(text);
    if (missing == null) {
      assertThat(uri.requireKeyReference()).isSameAs(uri);
    } else {
      assertThatThrownBy(uri::requireKeyReference)
          .isInstanceOf(Pkcs11UriException.class)
          .hasMessage(
              "PKCS#11 URI \""
                  + text
                  + "\" does not name a key: Graft needs token= (or serial=) to pick the token"
                  + " and object= (or id=) to pick the key, and "
                  + missing);
    }
  }

  @Test
  void toUriString_encodesCanonically() {
    Pkcs11Uri uri =
        Pkcs11Uri.parse(
            "pkcs11:type=private;object=a%2fb%26c;token=%41%c3%a1;id=AB?module-path=/usr/lib/a%20b.so");

    assertThat(uri.toUriString())
        .isEqualTo(
            "pkcs11:token=A%C3%A1;object=a%2Fb%26c;type=private;id=%41%42"
                + "?module-path=/usr/lib/a%20b.so");
  }

  @Test
  void equals_differentPins_areNotEqual() {
    assertThat(Pkcs11Uri.parse("pkcs11:token=t?pin-value=1234"))
        .isNotEqualTo(Pkcs11Uri.parse("pkcs11:token=t?pin-value=1235"))
        .isEqualTo(Pkcs11Uri.parse("pkcs11:token=t?pin-value=1234"));
  }

  @Test
  void build_allAttributes_parsesBackEqual() {
    Pkcs11Uri built =
        Pkcs11Uri.builder()
            .token("T ;?&=%#")
            .manufacturer("M")
            .serial("S")
            .model("Mo")
            .libraryManufacturer("LM")
            .libraryDescription("LD")
            .libraryVersion("2.6")
            .slotManufacturer("SM")
            .slotDescription("SD")
            .slotId(3)
            .object("\u00fcber-key \ud83d\udd11")
            .type(ObjectType.SECRET_KEY)
            .id(new byte[] {0, -1, 42})
            .pinValue("p&i n")
            .moduleName("softhsm2")
            .modulePath("/usr/lib/softhsm/libsofthsm2.so")
            .vendorPathAttribute("x-p", "1")
            .vendorQueryAttribute("x-q", "a&b")
            .build();

    Pkcs11Uri parsed = Pkcs11Uri.parse(built.toUriString());

    assertThat(parsed).isEqualTo(built);
    assertThat(attributes(parsed))
        .containsEntry("token", "T ;?&=%#")
        .containsEntry("object", "\u00fcber-key \ud83d\udd11")
        .containsEntry("pin-value", "p&i n")
        .containsEntry("query x-q", "a&b")
        .hasSize(18);
  }

  static Stream<Arguments> invalidBuilds() {
    return Stream.of(
        Arguments.of(
            Pkcs11Uri.builder().modulePath("lib.so"),
            "attribute \"module-path\" is \"lib.so\", not an absolute path: give the module's full"
                + " path, for example /usr/lib/softhsm/libsofthsm2.so"),
        Arguments.of(
            Pkcs11Uri.builder().pinSource("file:/p").pinValue("secret123"),
            "both pin-source and pin-value are set; set one"),
        Arguments.of(
            Pkcs11Uri.builder().pinValue("secret\u0000123"),
            "attribute \"pin-value\" holds a NUL character (%00), which Graft refuses in text"
                + " attributes: C code would cut the text short there"),
        Arguments.of(
            Pkcs11Uri.builder().token("\ud800"),
            "attribute \"token\" holds an unpaired UTF-16 surrogate, which has no UTF-8 form"),
        Arguments.of(
            Pkcs11Uri.builder().libraryVersion("v1"),
            "attribute \"library-version\" is \"v1\", not a version (digits, or digits.digits)"),
        Arguments.of(
            Pkcs11Uri.builder().vendorPathAttribute("acme", "1"),
            "vendor attribute name \"acme\" must start with \"x-\" and hold only letters, digits,"
                + " '-' and '_'"));
  }

  @ParameterizedTest
  @MethodSource("invalidBuilds")
  void build_invalidValue_isRefused(Pkcs11Uri.Builder builder, String problem) {
    assertThatThrownBy(builder::build)
        .isInstanceOf(Pkcs11UriException.class)
        .hasMessage("cannot build a PKCS#11 URI: " + problem);
  }
}
