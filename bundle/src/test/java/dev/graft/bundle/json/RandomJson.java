package dev.graft.bundle.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates random JSON values from a seed, weighted towards what breaks encoders: control
 * characters, quotes and backslashes, private-use and astral code points, keys that share prefixes
 * and sort differently by code point than by UTF-16 code unit, and the ends of the 64-bit range.
 */
final class RandomJson {
  /** Key fragments whose code-point order differs from their UTF-16 order, plus escapes. */
  private static final String[] KEY_PARTS = {
    "a", "B", "é", "\uFFFF", "\uE000", "😀", "\uD800\uDC00", "\u0000", "\"", "\\", "\n", "_"
  };

  private final Random random;
  private final boolean controlCharacters;

  private RandomJson(long seed, boolean controlCharacters) {
    this.random = new Random(seed);
    this.controlCharacters = controlCharacters;
  }

  static RandomJson withSeed(long seed) {
    return new RandomJson(seed, true);
  }

  /** Strings without control characters, whose canonical form is itself valid RFC 8259 JSON. */
  static RandomJson withoutControlCharacters(long seed) {
    return new RandomJson(seed, false);
  }

  JsonValue value(int maxDepth) {
    int kind = random.nextInt(maxDepth > 0 ? 10 : 6);
    return switch (kind) {
      case 0 -> JsonNull.INSTANCE;
      case 1 -> JsonBoolean.of(random.nextBoolean());
      case 2, 3 -> new JsonNumber(integer());
      case 4, 5 -> new JsonString(string(random.nextInt(24)));
      case 6, 7 -> object(maxDepth - 1);
      default -> array(maxDepth - 1);
    };
  }

  JsonObject object(int maxDepth) {
    JsonObject.Builder builder = JsonObject.builder();
    int size = random.nextInt(7);
    for (int i = 0; i < size; i++) {
      builder.put(key(), value(maxDepth));
    }
    return builder.build();
  }

  private JsonArray array(int maxDepth) {
    int size = random.nextInt(6);
    List<JsonValue> values = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      values.add(value(maxDepth));
    }
    return new JsonArray(values);
  }

  private String key() {
    if (random.nextBoolean()) {
      return string(random.nextInt(6));
    }
    StringBuilder key = new StringBuilder();
    int parts = random.nextInt(4);
    for (int i = 0; i < parts; i++) {
      String part = KEY_PARTS[random.nextInt(KEY_PARTS.length)];
      if (controlCharacters || part.codePointAt(0) >= 0x20) {
        key.append(part);
      }
    }
    return key.toString();
  }

  private long integer() {
    return switch (random.nextInt(6)) {
      case 0 -> Long.MAX_VALUE - random.nextInt(3);
      case 1 -> Long.MIN_VALUE + random.nextInt(3);
      case 2 -> random.nextLong();
      default -> random.nextInt(2001) - 1000;
    };
  }

  String string(int length) {
    StringBuilder s = new StringBuilder(length * 2);
    for (int i = 0; i < length; i++) {
      s.appendCodePoint(codePoint());
    }
    return s.toString();
  }

  private int codePoint() {
    int roll = random.nextInt(100);
    if (roll < 10) {
      return controlCharacters ? random.nextInt(0x20) : 0x7f;
    }
    if (roll < 20) {
      return "\"\\/".charAt(random.nextInt(3));
    }
    if (roll < 40) {
      return 0x20 + random.nextInt(0x5f);
    }
    if (roll < 50) {
      return 0x80 + random.nextInt(0x780);
    }
    if (roll < 60) {
      return 0x800 + random.nextInt(0xD800 - 0x800);
    }
    if (roll < 75) {
      return 0xE000 + random.nextInt(0x2000);
    }
    return 0x10000 + random.nextInt(0x10FFFF - 0x10000 + 1);
  }
}
