package dev.graft.pkcs11;

import dev.graft.pkcs11.UriAttribute.Component;
import dev.graft.pkcs11.UriAttribute.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the grammar of RFC 7512 section 2.3 (with Graft's restrictions listed on {@link
 * Pkcs11Uri}), and words its errors so that they never show a PIN.
 *
 * <p>The input is first cut into attributes at the delimiters: {@code ?} once, then {@code ;} in
 * the path and {@code &} in the query, and also at the other component's delimiter where an
 * attribute name follows it (see {@link #cutComponent}). A {@code pin-value}, and any pieces after
 * it that do not start like an attribute (a PIN holding an unencoded {@code &} or {@code ;} falls
 * apart into such pieces), are secret: error messages show {@link Pkcs11Uri#REDACTED} in their
 * place and never quote characters or positions inside them. So are the values of attributes with
 * names Graft does not know, since a misspelt {@code pin-valeu=1234} holds a PIN too.
 */
final class Pkcs11UriParser {
  /** Error messages show at most this much of the input. */
  private static final int SHOWN_LENGTH = 300;

  /**
   * One attribute's extent in the input: {@code [start, end)}, the {@code =} at {@code equals} or
   * -1 when there is none; {@code foreign} when it was cut off at a delimiter its component does
   * not use (see {@link #cutComponent}).
   */
  private record Piece(
      Component component, int start, int end, int equals, boolean foreign, Shown shown) {
    String name(String text) {
      return text.substring(start, equals < 0 ? end : equals);
    }
  }

  /** How much of a piece an error message may show. */
  private enum Shown {
    ALL,
    /** The name, not the value: a pin-value or an attribute Graft does not know. */
    NAME_ONLY,
    /** Nothing: text after a hidden value that does not start like an attribute. */
    NOTHING
  }

  private final String text;
  private final List<Piece> pieces;

  private Pkcs11UriParser(String text, List<Piece> pieces) {
    this.text = text;
    this.pieces = pieces;
  }

  static Pkcs11Uri parse(String text) {
    if (text.length() > Pkcs11Uri.MAX_LENGTH) {
      throw new Pkcs11UriException(
          "a PKCS#11 URI of "
              + text.length()
              + " characters is refused: Graft reads URIs of at most "
              + Pkcs11Uri.MAX_LENGTH);
    }
    Pkcs11UriParser parser = new Pkcs11UriParser(text, cut(text));
    return parser.parse();
  }

  private Pkcs11Uri parse() {
    if (!text.regionMatches(true, 0, Pkcs11Uri.SCHEME, 0, Pkcs11Uri.SCHEME.length())) {
      throw fail("it does not start with \"pkcs11:\"");
    }
    Pkcs11Uri.Builder builder = Pkcs11Uri.builder();
    Map<UriAttribute, Integer> seen = new EnumMap<>(UriAttribute.class);
    Map<String, Integer> seenVendor = new HashMap<>();
    for (Piece piece : pieces) {
      readPiece(piece, builder, seen, seenVendor);
    }
    if (seen.containsKey(UriAttribute.PIN_SOURCE) && seen.containsKey(UriAttribute.PIN_VALUE)) {
      throw fail(
          "it has both pin-source and pin-value; give one (pin-source keeps the PIN out of the"
              + " URI)");
    }
    return builder.build();
  }

  private void readPiece(
      Piece piece,
      Pkcs11Uri.Builder builder,
      Map<UriAttribute, Integer> seen,
      Map<String, Integer> seenVendor) {
    int position = piece.start + 1;
    char separator = piece.component.separator;
    if (piece.shown == Shown.NOTHING) {
      throw fail(
          "text follows pin-value that is not an attribute (not shown: it may be part of the"
              + " PIN); percent-encode '&', ';', '?' and '#' in a PIN, or better, use pin-source");
    }
    if (piece.start == piece.end) {
      // An empty piece has a separator on at least one side: show that one.
      boolean after = text.charAt(piece.start - 1) == separator;
      throw fail(
          "empty attribute "
              + (after ? "after" : "before")
              + " the '"
              + separator
              + "' at character "
              + (after ? piece.start : piece.end + 1)
              + ": remove the extra '"
              + separator
              + "'");
    }
    if (piece.equals < 0) {
      throw fail("\"" + piece.name(text) + "\" at character " + position + " has no '=' and value");
    }
    String name = piece.name(text);
    if (name.isEmpty()) {
      throw fail("empty attribute name before the '=' at character " + position);
    }
    if (!UriAttribute.isNameSyntax(name)) {
      throw fail(
          "attribute name \""
              + name
              + "\" at character "
              + position
              + " holds characters other than letters, digits, '-' and '_'");
    }
    Optional<UriAttribute> standard = UriAttribute.named(name);
    if (standard.isPresent()) {
      UriAttribute attribute = standard.get();
      if (attribute.component != piece.component) {
        throw fail(
            "\""
                + name
                + "\" at character "
                + position
                + (attribute.component == Component.QUERY
                    ? " is a query attribute: it belongs after the '?'"
                    : " is a path attribute: it belongs before the '?'"));
      }
      if (piece.foreign) {
        throw fail(foreignDelimiter(piece));
      }
      Integer earlier = seen.putIfAbsent(attribute, position);
      if (earlier != null) {
        throw fail(
            "attribute \""
                + name
                + "\" appears twice, at characters "
                + earlier
                + " and "
                + position);
      }
      readStandardValue(piece, attribute, builder);
      return;
    }
    if (!UriAttribute.isVendorName(name)) {
      throw fail(unknownAttribute(name, position));
    }
    if (piece.foreign) {
      throw fail(foreignDelimiter(piece));
    }
    String key = piece.component + " " + name;
    Integer earlier = seenVendor.putIfAbsent(key, position);
    if (earlier != null) {
      throw fail(
          "vendor attribute \""
              + name
              + "\" appears twice, at characters "
              + earlier
              + " and "
              + position);
    }
    String value = decodeText(piece, name, Kind.TEXT);
    if (value.indexOf('\0') >= 0) {
      throw fail(
          "vendor attribute \""
              + name
              + "\" at character "
              + position
              + " holds a NUL character (%00), which Graft refuses in text attributes");
    }
    if (piece.component == Component.PATH) {
      builder.vendorPathAttribute(name, value);
    } else {
      builder.vendorQueryAttribute(name, value);
    }
  }

  private void readStandardValue(Piece piece, UriAttribute attribute, Pkcs11Uri.Builder builder) {
    int position = piece.start + 1;
    String raw = text.substring(piece.equals + 1, piece.end);
    switch (attribute.kind) {
      case TYPE, VERSION, SLOT_ID -> {
        // The grammar spells these out literally: no percent-encoding.
        String problem = Pkcs11Uri.problemWith(attribute, raw);
        if (problem != null) {
          throw fail(
              "attribute \"" + attribute.wire + "\" at character " + position + " " + problem);
        }
        builder.set(
            attribute,
            attribute.kind == Kind.SLOT_ID
                ? Long.toUnsignedString(Long.parseUnsignedLong(raw))
                : raw);
      }
      case BYTES -> builder.id(decodeBytes(piece, attribute.wire, false));
      case TEXT, SECRET, ABSOLUTE_PATH -> {
        if (attribute.kind == Kind.SECRET && raw.equals(Pkcs11Uri.REDACTED)) {
          throw fail(
              "pin-value is "
                  + Pkcs11Uri.REDACTED
                  + ", the placeholder Graft shows in place of a PIN; give the real PIN, or"
                  + " better, a pin-source");
        }
        String value = decodeText(piece, attribute.wire, attribute.kind);
        String problem = Pkcs11Uri.problemWith(attribute, value);
        if (problem != null) {
          // problemWith never repeats a secret value; the position is outside the PIN.
          throw fail(
              "attribute \"" + attribute.wire + "\" at character " + position + " " + problem);
        }
        builder.set(attribute, value);
      }
    }
  }

  private String decodeText(Piece piece, String name, Kind kind) {
    byte[] bytes = decodeBytes(piece, name, kind == Kind.SECRET);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw fail(
          "attribute \""
              + name
              + "\" at character "
              + (piece.start + 1)
              + " is not valid UTF-8 once percent-decoded");
    }
  }

  /** The value's bytes; for a secret, errors say neither which character nor where. */
  private byte[] decodeBytes(Piece piece, String name, boolean secret) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(piece.end - piece.equals);
    int i = piece.equals + 1;
    while (i < piece.end) {
      char c = text.charAt(i);
      if (c == '%') {
        int high = i + 1 < piece.end ? PercentCoding.hexValue(text.charAt(i + 1)) : -1;
        int low = i + 2 < piece.end ? PercentCoding.hexValue(text.charAt(i + 2)) : -1;
        if (high < 0 || low < 0) {
          throw fail(
              secret
                  ? "pin-value holds a '%' not followed by two hex digits (not shown)"
                  : "malformed percent-escape at character "
                      + (i + 1)
                      + " in attribute \""
                      + name
                      + "\": '%' must be followed by two hex digits");
        }
        bytes.write(high << 4 | low);
        i += 3;
      } else if (c < 0x80 && PercentCoding.mayAppearRaw(c, piece.component)) {
        bytes.write(c);
        i++;
      } else if (secret) {
        throw fail(
            "pin-value holds a character that must be percent-encoded (not shown); or better,"
                + " use pin-source");
      } else {
        int codePoint = text.codePointAt(i);
        throw fail(
            describe(codePoint)
                + " at character "
                + (i + 1)
                + " in attribute \""
                + name
                + "\" must be percent-encoded, as "
                + PercentCoding.escapesOf(codePoint));
      }
    }
    return bytes.toByteArray();
  }

  private static String describe(int codePoint) {
    if (Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)) {
      return String.format(Locale.ROOT, "character U+%04X", codePoint);
    }
    return "character '" + new String(Character.toChars(codePoint)) + "'";
  }

  private String foreignDelimiter(Piece piece) {
    char delimiter = text.charAt(piece.start - 1);
    return "'"
        + delimiter
        + "' at character "
        + piece.start
        + (piece.component == Component.PATH
            ? " separates path attributes, which takes ';' (query attributes follow a '?');"
                + " write an '&' that is part of a value as %26"
            : " separates query attributes, which takes '&'; write a '"
                + delimiter
                + "' that is part of a value as "
                + PercentCoding.escapesOf(delimiter));
  }

  private static String unknownAttribute(String name, int position) {
    String message =
        "unknown attribute \""
            + name
            + "\" at character "
            + position
            + ": Graft accepts the attributes RFC 7512 defines (token, manufacturer, serial,"
            + " model, library-manufacturer, library-description, library-version,"
            + " slot-manufacturer, slot-description, slot-id, object, type, id; pin-source,"
            + " pin-value, module-name, module-path) and vendor attributes named x-…";
    Optional<UriAttribute> sameLetters = UriAttribute.named(name.toLowerCase(Locale.ROOT));
    if (sameLetters.isPresent()) {
      message +=
          "; attribute names are case-sensitive: did you mean \"" + sameLetters.get().wire + "\"?";
    }
    return message;
  }

  private Pkcs11UriException fail(String problem) {
    return new Pkcs11UriException("invalid PKCS#11 URI \"" + show(text, pieces) + "\": " + problem);
  }

  /**
   * Cuts the input into attributes. Works on any text, so that errors about a missing scheme redact
   * too.
   */
  private static List<Piece> cut(String text) {
    int body =
        text.regionMatches(true, 0, Pkcs11Uri.SCHEME, 0, Pkcs11Uri.SCHEME.length())
            ? Pkcs11Uri.SCHEME.length()
            : 0;
    int question = text.indexOf('?', body);
    List<Piece> raw = new ArrayList<>();
    cutComponent(text, Component.PATH, body, question < 0 ? text.length() : question, raw);
    if (question >= 0) {
      cutComponent(text, Component.QUERY, question + 1, text.length(), raw);
    }
    // A pin-value's value is hidden, and so is that of an unknown attribute (perhaps a misspelt
    // pin-value), and so is every following piece that does not start like an attribute: a PIN
    // with a stray delimiter in it.
    List<Piece> pieces = new ArrayList<>(raw.size());
    boolean hiding = false;
    for (Piece piece : raw) {
      boolean known = piece.equals >= 0 && isKnownName(piece.name(text));
      Shown shown;
      if (hiding && !known) {
        shown = Shown.NOTHING;
      } else if (piece.equals >= 0 && (!known || isPin(text, piece))) {
        shown = Shown.NAME_ONLY;
      } else {
        shown = Shown.ALL;
      }
      hiding = shown != Shown.ALL;
      pieces.add(
          new Piece(piece.component, piece.start, piece.end, piece.equals, piece.foreign, shown));
    }
    return pieces;
  }

  /**
   * Cuts one component at its separator. A delimiter of the other component ({@code &} in the path;
   * {@code ;} or another {@code ?} in the query) cuts too when an attribute name and {@code =}
   * follow it. The RFC reads {@code object=a&pin-value=1234} as an object label, but it is almost
   * surely a forgotten {@code ?}: cut there, the parser refuses it with a message that says so, and
   * the PIN is redacted like any other.
   */
  private static void cutComponent(
      String text, Component component, int from, int to, List<Piece> out) {
    if (from == to) {
      return; // An empty path or query is allowed.
    }
    int start = from;
    boolean foreign = false;
    for (int i = from; i <= to; i++) {
      boolean cut = i == to || text.charAt(i) == component.separator;
      boolean foreignCut =
          !cut && isForeignDelimiter(text.charAt(i), component) && startsAttribute(text, i + 1, to);
      if (cut || foreignCut) {
        int equals = text.indexOf('=', start);
        out.add(
            new Piece(
                component, start, i, equals >= 0 && equals < i ? equals : -1, foreign, Shown.ALL));
        start = i + 1;
        foreign = foreignCut;
      }
    }
  }

  private static boolean isForeignDelimiter(char c, Component component) {
    return switch (component) {
      case PATH -> c == '&';
      case QUERY -> c == ';' || c == '?';
    };
  }

  /** Whether {@code text} at {@code from} starts with a known attribute name and {@code =}. */
  private static boolean startsAttribute(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == '=') {
        return isKnownName(text.substring(from, i));
      }
      if (c == ';' || c == '&' || c == '?') {
        return false;
      }
    }
    return false;
  }

  /** A standard or vendor attribute name, or something meant as {@code pin-value}. */
  private static boolean isKnownName(String name) {
    return UriAttribute.named(name).isPresent()
        || UriAttribute.isVendorName(name)
        || isPinValueName(name);
  }

  /**
   * Whether a name, read leniently (percent-escapes decoded, case ignored), is {@code pin-value}:
   * redaction must not depend on the name being well-formed.
   */
  private static boolean isPinValueName(String name) {
    StringBuilder decoded = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '%' && i + 2 < name.length()) {
        int high = PercentCoding.hexValue(name.charAt(i + 1));
        int low = PercentCoding.hexValue(name.charAt(i + 2));
        if (high >= 0 && low >= 0) {
          decoded.append((char) (high << 4 | low));
          i += 2;
          continue;
        }
      }
      decoded.append(c);
    }
    return decoded.toString().strip().toLowerCase(Locale.ROOT).equals("pin-value");
  }

  private static String show(String text, List<Piece> pieces) {
    StringBuilder shown = new StringBuilder(text.length());
    int copied = 0;
    for (int i = 0; i < pieces.size(); i++) {
      Piece piece = pieces.get(i);
      if (piece.shown != Shown.NAME_ONLY) {
        continue;
      }
      int last = i;
      while (last + 1 < pieces.size() && pieces.get(last + 1).shown == Shown.NOTHING) {
        last++;
      }
      shown.append(text, copied, piece.equals + 1).append(Pkcs11Uri.REDACTED);
      copied = pieces.get(last).end;
      i = last;
    }
    shown.append(text, copied, text.length());
    return escapeForDisplay(shown);
  }

  private static boolean isPin(String text, Piece piece) {
    return piece.equals >= 0 && isPinValueName(piece.name(text));
  }

  private static String escapeForDisplay(CharSequence shown) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < shown.length(); i++) {
      if (out.length() >= SHOWN_LENGTH) {
        return out.append("…").toString();
      }
      char c = shown.charAt(i);
      if (Character.isISOControl(c) || c == '"' || c == '\\') {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
