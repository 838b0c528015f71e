package dev.graft.bundle.keys;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code key = value} vector files under {@code src/test/resources/vectors}: records are
 * separated by blank lines, {@code #} starts a comment, and the first record may hold values shared
 * by all the others (a header).
 */
final class VectorFile {
  private VectorFile() {}

  /** One record: its values by key; asking for a key it lacks is a broken vector file. */
  record Entry(Map<String, String> values) {
    String get(String key) {
      String value = values.get(key);
      if (value == null) {
        throw new IllegalStateException("vector record has no " + key + ": " + values.keySet());
      }
      return value;
    }

    byte[] hex(String key) {
      return VectorFile.hex(get(key));
    }
  }

  static List<Entry> records(String resource) {
    List<Entry> records = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    for (String line : text(resource).split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#")) {
        continue;
      }
      if (trimmed.isEmpty()) {
        if (!current.isEmpty()) {
          records.add(new Entry(current));
          current = new LinkedHashMap<>();
        }
        continue;
      }
      int equals = trimmed.indexOf('=');
      if (equals < 0) {
        throw new IllegalStateException(resource + ": line without '=': " + trimmed);
      }
      current.put(trimmed.substring(0, equals).strip(), trimmed.substring(equals + 1).strip());
    }
    if (!current.isEmpty()) {
      records.add(new Entry(current));
    }
    return records;
  }

  static String text(String resource) {
    return new String(bytes(resource), StandardCharsets.UTF_8);
  }

  static byte[] bytes(String resource) {
    return resource("/vectors/" + resource);
  }

  /** A test resource by its absolute class path name. */
  static byte[] resource(String name) {
    try (InputStream in = VectorFile.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
