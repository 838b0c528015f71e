package dev.graft.bundle.json;

import java.util.List;

/** An immutable JSON array. */
public record JsonArray(List<JsonValue> values) implements JsonValue {
  public JsonArray {
    values = List.copyOf(values);
  }

  public static JsonArray of(JsonValue... values) {
    return new JsonArray(List.of(values));
  }

  public int size() {
    return values.size();
  }

  public JsonValue get(int index) {
    return values.get(index);
  }

  @Override
  public String typeName() {
    return "array";
  }
}
