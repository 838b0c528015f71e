package dev.graft.bundle.json;

/** A parsed JSON value. Numbers are integers only, as canonical JSON requires. */
public sealed interface JsonValue
    permits JsonObject, JsonArray, JsonString, JsonNumber, JsonDecimal, JsonBoolean, JsonNull {

  /** A short name of this value's JSON type, for error messages. */
  String typeName();
}
