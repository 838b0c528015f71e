package dev.graft.bundle.json;

import dev.graft.bundle.JsonFormatException;
import java.util.Objects;

/**
 * A JSON string. Always well-formed Unicode: the parser refuses lone surrogates and so does this
 * constructor, because a lone surrogate has no UTF-8 encoding and the encoders would otherwise
 * silently write {@code ?} in its place — signing bytes that differ from the value held.
 */
public record JsonString(String value) implements JsonValue {
  public JsonString {
    Objects.requireNonNull(value, "value");
    requireWellFormed(value, "string");
  }

  @Override
  public String typeName() {
    return "string";
  }

  /** Refuses a string with an unpaired surrogate; {@code what} names it in the message. */
  static void requireWellFormed(String s, String what) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new JsonFormatException(
            String.format(
                "%s has a lone surrogate U+%04X at index %d; it has no UTF-8 encoding",
                what, (int) c, i));
      }
    }
  }
}
