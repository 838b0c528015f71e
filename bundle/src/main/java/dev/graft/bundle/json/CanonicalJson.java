package dev.graft.bundle.json;

import dev.graft.bundle.JsonFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Canonical JSON exactly as securesystemslib's {@code encode_canonical} writes it: members sorted
 * by Unicode code point, no insignificant whitespace, only {@code "} and {@code \} escaped in
 * strings (every other character, control characters included, written as its UTF-8 bytes),
 * integers only. Every signature in Graft covers these bytes.
 */
public final class CanonicalJson {
  /** Orders strings by Unicode code point, as Python sorts them (not by UTF-16 code unit). */
  public static final Comparator<String> CODE_POINT_ORDER = CanonicalJson::compareCodePoints;

  private CanonicalJson() {}

  public static byte[] encode(JsonValue value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    write(value, out);
    return out.toByteArray();
  }

  public static String encodeToString(JsonValue value) {
    return new String(encode(value), StandardCharsets.UTF_8);
  }

  private static void write(JsonValue value, ByteArrayOutputStream out) {
    switch (value) {
      case JsonObject object -> {
        out.write('{');
        List<Map.Entry<String, JsonValue>> entries = new ArrayList<>(object.members().entrySet());
        entries.sort(Map.Entry.comparingByKey(CODE_POINT_ORDER));
        boolean first = true;
        for (Map.Entry<String, JsonValue> entry : entries) {
          if (!first) {
            out.write(',');
          }
          first = false;
          writeString(entry.getKey(), out);
          out.write(':');
          write(entry.getValue(), out);
        }
        out.write('}');
      }
      case JsonArray array -> {
        out.write('[');
        for (int i = 0; i < array.size(); i++) {
          if (i > 0) {
            out.write(',');
          }
          write(array.get(i), out);
        }
        out.write(']');
      }
      case JsonString string -> writeString(string.value(), out);
      case JsonDecimal decimal ->
          throw new JsonFormatException(
              "canonical JSON has integers only; refusing the decimal " + decimal.value());
      case JsonNumber number ->
          out.writeBytes(Long.toString(number.value()).getBytes(StandardCharsets.US_ASCII));
      case JsonBoolean bool -> out.writeBytes(bool.value() ? TRUE : FALSE);
      case JsonNull ignored -> out.writeBytes(NULL);
    }
  }

  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  private static void writeString(String s, ByteArrayOutputStream out) {
    out.write('"');
    int runStart = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.writeBytes(s.substring(runStart, i).getBytes(StandardCharsets.UTF_8));
        out.write('\\');
        out.write(c);
        runStart = i + 1;
      }
    }
    out.writeBytes(s.substring(runStart).getBytes(StandardCharsets.UTF_8));
    out.write('"');
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
