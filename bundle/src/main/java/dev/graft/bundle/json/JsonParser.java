package dev.graft.bundle.json;

import dev.graft.bundle.JsonFormatException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A strict RFC 8259 parser. Refuses, with a message naming the offset: input larger than the byte
 * cap (checked before any decoding), malformed UTF-8 or a byte-order mark, nesting deeper than the
 * cap, duplicate member names, fractions and exponents, integers outside the signed 64-bit range,
 * lone surrogates, control characters in strings, and anything after the value.
 *
 * <p>Instances are immutable and thread-safe; each {@link #parse} call has its own state.
 */
public final class JsonParser {
  /** Large enough for metadata listing many composite keys and signatures. */
  public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

  public static final int DEFAULT_MAX_DEPTH = 64;

  private static final JsonParser DEFAULT = new JsonParser(DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH);

  private final int maxBytes;
  private final int maxDepth;
  private final boolean decimals;

  private JsonParser(int maxBytes, int maxDepth) {
    this(maxBytes, maxDepth, false);
  }

  private JsonParser(int maxBytes, int maxDepth, boolean decimals) {
    if (maxBytes < 1 || maxDepth < 1) {
      throw new IllegalArgumentException("caps must be positive");
    }
    this.maxBytes = maxBytes;
    this.maxDepth = maxDepth;
    this.decimals = decimals;
  }

  public static JsonParser withDefaults() {
    return DEFAULT;
  }

  public static JsonParser withCaps(int maxBytes, int maxDepth) {
    return new JsonParser(maxBytes, maxDepth);
  }

  /**
   * A parser with the same caps that also accepts fractions and exponents, as {@link JsonDecimal}.
   * For documents that are hashed but never signed as canonical JSON, such as a bundle's manifest
   * (whose point scales are decimals); metadata parsing never uses it.
   */
  public JsonParser allowingDecimals() {
    return new JsonParser(maxBytes, maxDepth, true);
  }

  public int maxBytes() {
    return maxBytes;
  }

  public JsonValue parse(byte[] bytes) {
    if (bytes.length > maxBytes) {
      throw new JsonFormatException(
          "JSON document is " + bytes.length + " bytes, more than the cap of " + maxBytes);
    }
    String text = decodeUtf8(bytes);
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      throw new JsonFormatException("JSON document starts with a byte-order mark");
    }
    return new Cursor(text, maxDepth, decimals).document();
  }

  /**
   * Decodes strictly: the JDK decoder refuses overlong forms, encoded surrogates, code points above
   * U+10FFFF and truncated sequences. Decoding by hand, rather than with {@code
   * decode(ByteBuffer)}, keeps the position of the first bad byte for the message.
   */
  private static String decodeUtf8(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    // UTF-8 never decodes to more UTF-16 units than it has bytes, so the output cannot overflow.
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new JsonFormatException("JSON document is not valid UTF-8 at byte " + in.position());
    }
    return out.flip().toString();
  }

  /** Parses and requires the top-level value to be an object. */
  public JsonObject parseObject(byte[] bytes) {
    JsonValue value = parse(bytes);
    if (value instanceof JsonObject object) {
      return object;
    }
    throw new JsonFormatException("expected a JSON object at top level, found " + value.typeName());
  }

  private static final class Cursor {
    private final String text;
    private final int maxDepth;
    private final boolean decimals;
    private int pos;
    private int depth;

    Cursor(String text, int maxDepth, boolean decimals) {
      this.decimals = decimals;
      this.text = text;
      this.maxDepth = maxDepth;
    }

    JsonValue document() {
      skipWhitespace();
      JsonValue value = value();
      skipWhitespace();
      if (pos != text.length()) {
        throw error("unexpected data after the JSON value");
      }
      return value;
    }

    private JsonValue value() {
      if (pos >= text.length()) {
        throw error("unexpected end of input, expected a value");
      }
      char c = text.charAt(pos);
      return switch (c) {
        case '{' -> object();
        case '[' -> array();
        case '"' -> new JsonString(string());
        case 't' -> literal("true", JsonBoolean.TRUE);
        case 'f' -> literal("false", JsonBoolean.FALSE);
        case 'n' -> literal("null", JsonNull.INSTANCE);
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            yield number();
          }
          throw error("unexpected character " + describe(text.codePointAt(pos)));
        }
      };
    }

    private JsonObject object() {
      enter();
      pos++; // '{'
      LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();
      skipWhitespace();
      if (peekIn("object") == '}') {
        pos++;
        depth--;
        return JsonObject.builder().build();
      }
      while (true) {
        skipWhitespace();
        if (peekIn("object") != '"') {
          throw error("expected a member name");
        }
        int keyAt = pos;
        String key = string();
        skipWhitespace();
        if (peekIn("object") != ':') {
          throw error("expected ':' after member name");
        }
        pos++;
        skipWhitespace();
        JsonValue value = value();
        if (members.putIfAbsent(key, value) != null) {
          pos = keyAt;
          throw error("duplicate member name " + quote(key));
        }
        skipWhitespace();
        char c = peekIn("object");
        pos++;
        if (c == '}') {
          break;
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or '}' in object");
        }
      }
      depth--;
      return JsonObject.builder().putAll(members).build();
    }

    private JsonArray array() {
      enter();
      pos++; // '['
      List<JsonValue> values = new ArrayList<>();
      skipWhitespace();
      if (peekIn("array") == ']') {
        pos++;
        depth--;
        return new JsonArray(values);
      }
      while (true) {
        skipWhitespace();
        values.add(value());
        skipWhitespace();
        char c = peekIn("array");
        pos++;
        if (c == ']') {
          break;
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or ']' in array");
        }
      }
      depth--;
      return new JsonArray(values);
    }

    private void enter() {
      if (++depth > maxDepth) {
        throw error("nesting deeper than the cap of " + maxDepth);
      }
    }

    private String string() {
      pos++; // opening quote
      StringBuilder out = new StringBuilder();
      while (true) {
        if (pos >= text.length()) {
          throw error("unterminated string");
        }
        char c = text.charAt(pos++);
        if (c == '"') {
          return out.toString();
        }
        if (c < 0x20) {
          pos--;
          throw error("unescaped control character " + describe(c) + " in string");
        }
        if (c == '\\') {
          escape(out);
        } else {
          // The decoder already refused malformed UTF-8, so surrogates here are paired.
          out.append(c);
        }
      }
    }

    private void escape(StringBuilder out) {
      if (pos >= text.length()) {
        throw error("unterminated escape");
      }
      char c = text.charAt(pos++);
      switch (c) {
        case '"' -> out.append('"');
        case '\\' -> out.append('\\');
        case '/' -> out.append('/');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          char unit = hex4();
          if (Character.isHighSurrogate(unit)) {
            if (pos + 1 < text.length()
                && text.charAt(pos) == '\\'
                && text.charAt(pos + 1) == 'u') {
              pos += 2;
              char low = hex4();
              if (!Character.isLowSurrogate(low)) {
                throw error("high surrogate escape not followed by a low surrogate");
              }
              out.append(unit).append(low);
            } else {
              throw error("lone high surrogate escape");
            }
          } else if (Character.isLowSurrogate(unit)) {
            throw error("lone low surrogate escape");
          } else {
            out.append(unit);
          }
        }
        default -> {
          pos--;
          throw error("invalid escape \\" + describe(c) + " in string");
        }
      }
    }

    private char hex4() {
      if (pos + 4 > text.length()) {
        throw error("truncated \\u escape");
      }
      int value = 0;
      for (int i = 0; i < 4; i++) {
        int digit = Character.digit(text.charAt(pos + i), 16);
        if (digit < 0 || text.charAt(pos + i) > 'f') {
          throw error("invalid hex digit in \\u escape");
        }
        value = value * 16 + digit;
      }
      pos += 4;
      return (char) value;
    }

    private JsonValue number() {
      int start = pos;
      if (text.charAt(pos) == '-') {
        pos++;
      }
      if (pos >= text.length() || !isDigit(text.charAt(pos))) {
        throw error("expected a digit");
      }
      if (text.charAt(pos) == '0' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1))) {
        throw error("leading zeros are not allowed in numbers");
      }
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
      if (pos < text.length()) {
        char c = text.charAt(pos);
        if (c == '.' || c == 'e' || c == 'E') {
          if (!decimals) {
            throw error("only integers are allowed; fractions and exponents are refused");
          }
          return decimal(start);
        }
      }
      String digits = text.substring(start, pos);
      try {
        return new JsonNumber(Long.parseLong(digits));
      } catch (NumberFormatException e) {
        pos = start;
        throw error("integer " + abbreviate(digits) + " is outside the signed 64-bit range");
      }
    }

    /** The rest of an RFC 8259 number after its integer part, kept exactly as written. */
    private JsonDecimal decimal(int start) {
      if (text.charAt(pos) == '.') {
        pos++;
        int fractionStart = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
          pos++;
        }
        if (pos == fractionStart) {
          throw error("expected a digit after the decimal point");
        }
      }
      if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
        pos++;
        if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
          pos++;
        }
        int exponentStart = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
          pos++;
        }
        if (pos == exponentStart || pos - exponentStart > 4) {
          throw error("expected an exponent of one to four digits");
        }
      }
      return new JsonDecimal(new BigDecimal(text.substring(start, pos)));
    }

    private JsonValue literal(String word, JsonValue value) {
      if (!text.startsWith(word, pos)) {
        throw error("invalid literal, expected '" + word + "'");
      }
      pos += word.length();
      return value;
    }

    /** The next character inside an open object or array; the end of input there is an error. */
    private char peekIn(String container) {
      if (pos >= text.length()) {
        throw error("unterminated " + container + ", unexpected end of input");
      }
      return text.charAt(pos);
    }

    private void skipWhitespace() {
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    private static String describe(int c) {
      return c < 0x20 || c > 0x7e ? String.format("U+%04X", c) : "'" + (char) c + "'";
    }

    // Messages quote input, which may be huge or hold control characters meant to forge log
    // lines: quote a bounded prefix and spell out what is not printable ASCII.
    private static final int QUOTE_LIMIT = 40;

    private static String quote(String s) {
      StringBuilder out = new StringBuilder("'");
      int end = Math.min(s.length(), QUOTE_LIMIT);
      for (int i = 0; i < end; i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c > 0x7e) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('\'');
      if (s.length() > end) {
        out.append(" (").append(s.length()).append(" characters, truncated)");
      }
      return out.toString();
    }

    private static String abbreviate(String digits) {
      return digits.length() <= QUOTE_LIMIT
          ? digits
          : digits.substring(0, QUOTE_LIMIT) + "... (" + digits.length() + " characters)";
    }

    private JsonFormatException error(String message) {
      return new JsonFormatException(message + " at character " + pos);
    }
  }
}
