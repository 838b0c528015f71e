package dev.graft.bundle.json;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Human-readable JSON for files people read (metadata on disk, command output). Members are written
 * in canonical order with two-space indentation; strings are escaped as RFC 8259 requires, so the
 * output parses back with {@link JsonParser} to an equal value.
 */
public final class PrettyJson {
  private PrettyJson() {}

  public static byte[] encode(JsonValue value) {
    StringBuilder out = new StringBuilder(256);
    write(value, out, 0);
    out.append('\n');
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(JsonValue value, StringBuilder out, int indent) {
    switch (value) {
      case JsonObject object -> {
        if (object.size() == 0) {
          out.append("{}");
          return;
        }
        out.append("{\n");
        var entries =
            object.members().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(CanonicalJson.CODE_POINT_ORDER))
                .toList();
        for (int i = 0; i < entries.size(); i++) {
          pad(out, indent + 1);
          writeString(entries.get(i).getKey(), out);
          out.append(": ");
          write(entries.get(i).getValue(), out, indent + 1);
          out.append(i + 1 < entries.size() ? ",\n" : "\n");
        }
        pad(out, indent);
        out.append('}');
      }
      case JsonArray array -> {
        if (array.size() == 0) {
          out.append("[]");
          return;
        }
        out.append("[\n");
        for (int i = 0; i < array.size(); i++) {
          pad(out, indent + 1);
          write(array.get(i), out, indent + 1);
          out.append(i + 1 < array.size() ? ",\n" : "\n");
        }
        pad(out, indent);
        out.append(']');
      }
      case JsonString string -> writeString(string.value(), out);
      case JsonNumber number -> out.append(number.value());
      case JsonDecimal decimal -> out.append(decimal.value().toString());
      case JsonBoolean bool -> out.append(bool.value());
      case JsonNull ignored -> out.append("null");
    }
  }

  private static void pad(StringBuilder out, int indent) {
    out.repeat("  ", indent);
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
