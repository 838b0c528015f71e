package dev.graft.bundle.json;

import java.util.Objects;

/** A JSON string. Always well-formed Unicode: the parser refuses lone surrogates. */
public record JsonString(String value) implements JsonValue {
  public JsonString {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String typeName() {
    return "string";
  }
}
