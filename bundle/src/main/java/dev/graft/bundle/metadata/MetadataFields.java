package dev.graft.bundle.metadata;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.TufKey;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Field rules shared by every metadata type; package-private on purpose. */
final class MetadataFields {
  /** TUF writes expiry as {@code YYYY-MM-DDTHH:MM:SSZ}, always UTC, no fractions. */
  private static final DateTimeFormatter EXPIRES =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'")
          .withResolverStyle(ResolverStyle.STRICT);

  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

  /** The major version of the TUF specification this client implements. */
  static final String SUPPORTED_SPEC_MAJOR = "1";

  private MetadataFields() {}

  static void requireType(JsonObject signed, RoleType expected) {
    String type = signed.string("_type");
    if (!type.equals(expected.typeName())) {
      throw new JsonFormatException(
          "expected _type '" + expected.typeName() + "', found '" + type + "'");
    }
  }

  static String specVersion(JsonObject signed) {
    String spec = signed.string("spec_version");
    String[] parts = spec.split("\\.", -1);
    if (parts.length < 2 || parts.length > 3 || !parts[0].equals(SUPPORTED_SPEC_MAJOR)) {
      throw new JsonFormatException(
          "unsupported spec_version '" + spec + "'; this client implements TUF 1.x");
    }
    for (String part : parts) {
      if (!part.matches("[0-9]+")) {
        throw new JsonFormatException("malformed spec_version '" + spec + "'");
      }
    }
    return spec;
  }

  static long version(JsonObject json) {
    long version = json.integer("version");
    if (version < 1) {
      throw new JsonFormatException("version must be at least 1, found " + version);
    }
    return version;
  }

  static Instant expires(JsonObject signed) {
    String text = signed.string("expires");
    try {
      return LocalDateTime.parse(text, EXPIRES).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new JsonFormatException(
          "expires '" + text + "' is not of the form YYYY-MM-DDTHH:MM:SSZ", e);
    }
  }

  static String formatExpires(Instant expires) {
    return EXPIRES.format(expires.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
  }

  static int threshold(JsonObject json) {
    long threshold = json.integer("threshold");
    if (threshold < 1 || threshold > Integer.MAX_VALUE) {
      throw new JsonFormatException("threshold must be a positive integer, found " + threshold);
    }
    return (int) threshold;
  }

  static long length(JsonObject json) {
    long length = json.integer("length");
    if (length < 0) {
      throw new JsonFormatException("length must not be negative, found " + length);
    }
    return length;
  }

  static List<String> strings(JsonArray array, String what) {
    List<String> out = new ArrayList<>(array.size());
    for (JsonValue value : array.values()) {
      if (!(value instanceof JsonString s)) {
        throw new JsonFormatException(what + " must hold strings, found " + value.typeName());
      }
      out.add(s.value());
    }
    return out;
  }

  static JsonArray stringArray(List<String> values) {
    List<JsonValue> out = new ArrayList<>(values.size());
    values.forEach(v -> out.add(new JsonString(v)));
    return new JsonArray(out);
  }

  /** Hash algorithm name to hex digest; at least one entry, every digest valid hex. */
  static Map<String, String> hashes(JsonObject json) {
    JsonObject hashes = json.object("hashes");
    if (hashes.size() == 0) {
      throw new JsonFormatException("hashes must name at least one digest");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> entry : hashes.members().entrySet()) {
      if (!(entry.getValue() instanceof JsonString digest)
          || !HEX.matcher(digest.value()).matches()
          || digest.value().length() % 2 != 0) {
        throw new JsonFormatException("hash '" + entry.getKey() + "' must be a hex string");
      }
      out.put(entry.getKey(), digest.value());
    }
    return out;
  }

  static JsonObject hashesJson(Map<String, String> hashes) {
    JsonObject.Builder builder = JsonObject.builder();
    hashes.forEach(builder::put);
    return builder.build();
  }

  static Map<String, TufKey> keys(JsonObject json) {
    Map<String, TufKey> keys = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> entry : json.object("keys").members().entrySet()) {
      if (!(entry.getValue() instanceof JsonObject keyJson)) {
        throw new JsonFormatException("key '" + entry.getKey() + "' must be an object");
      }
      keys.put(
          entry.getKey(), within("key '" + entry.getKey() + "'", () -> TufKey.fromJson(keyJson)));
    }
    return keys;
  }

  static JsonObject keysJson(Map<String, TufKey> keys) {
    JsonObject.Builder builder = JsonObject.builder();
    keys.forEach((id, key) -> builder.put(id, key.json()));
    return builder.build();
  }

  static JsonObject unrecognized(JsonObject json, String... known) {
    Set<String> knownSet = Set.of(known);
    JsonObject.Builder builder = JsonObject.builder();
    json.members()
        .forEach((k, v) -> {
          if (!knownSet.contains(k)) {
            builder.put(k, v);
          }
        });
    return builder.build();
  }

  /**
   * Reads one member of a collection, prefixing any format error with which member it was, so a
   * message says "role 'targets': threshold must be …" rather than only "threshold must be …".
   */
  static <T> T within(String what, java.util.function.Supplier<T> reader) {
    try {
      return reader.get();
    } catch (JsonFormatException e) {
      String message = String.valueOf(e.getMessage());
      if (message.startsWith(what)) {
        throw e; // the member already names itself
      }
      throw new JsonFormatException(what + ": " + message, e);
    }
  }

  static <K, V> Map<K, V> ordered(Map<K, V> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  static byte[] hex(String text) {
    return HexFormat.of().parseHex(text);
  }
}
