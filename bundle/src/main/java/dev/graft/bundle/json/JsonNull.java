package dev.graft.bundle.json;

/** The JSON {@code null}. */
public record JsonNull() implements JsonValue {
  public static final JsonNull INSTANCE = new JsonNull();

  @Override
  public String typeName() {
    return "null";
  }
}
