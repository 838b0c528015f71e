package dev.graft.bundle.json;

import dev.graft.bundle.JsonFormatException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SequencedMap;
import org.jspecify.annotations.Nullable;

/**
 * An immutable JSON object that keeps its members in the order they were read or built. The
 * canonical encoder sorts them; the order here only serves round trips and readable output.
 *
 * <p>The typed accessors throw {@link JsonFormatException} naming the member and the type that was
 * expected and found, so a parser built on them reports malformed input precisely.
 */
public final class JsonObject implements JsonValue {
  private static final JsonObject EMPTY = new JsonObject(new LinkedHashMap<>());

  private final SequencedMap<String, JsonValue> members;

  private JsonObject(LinkedHashMap<String, JsonValue> members) {
    this.members = Collections.unmodifiableSequencedMap(members);
  }

  public static JsonObject empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts with this object's members; {@code put} replaces existing ones. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.members.putAll(members);
    return builder;
  }

  public SequencedMap<String, JsonValue> members() {
    return members;
  }

  public int size() {
    return members.size();
  }

  public boolean has(String key) {
    return members.containsKey(key);
  }

  public @Nullable JsonValue get(String key) {
    return members.get(key);
  }

  public JsonValue require(String key) {
    JsonValue value = members.get(key);
    if (value == null) {
      throw new JsonFormatException("missing required member '" + key + "'");
    }
    return value;
  }

  public String string(String key) {
    return as(key, JsonString.class, "string").value();
  }

  public long integer(String key) {
    return as(key, JsonNumber.class, "integer").value();
  }

  public boolean bool(String key) {
    return as(key, JsonBoolean.class, "boolean").value();
  }

  public JsonObject object(String key) {
    return as(key, JsonObject.class, "object");
  }

  public JsonArray array(String key) {
    return as(key, JsonArray.class, "array");
  }

  public Optional<String> optionalString(String key) {
    return has(key) ? Optional.of(string(key)) : Optional.empty();
  }

  public OptionalLong optionalInteger(String key) {
    return has(key) ? OptionalLong.of(integer(key)) : OptionalLong.empty();
  }

  public Optional<JsonObject> optionalObject(String key) {
    return has(key) ? Optional.of(object(key)) : Optional.empty();
  }

  public Optional<JsonArray> optionalArray(String key) {
    return has(key) ? Optional.of(array(key)) : Optional.empty();
  }

  private <T extends JsonValue> T as(String key, Class<T> type, String expected) {
    JsonValue value = require(key);
    if (!type.isInstance(value)) {
      throw new JsonFormatException(
          "member '" + key + "' must be " + expected + ", found " + value.typeName());
    }
    return type.cast(value);
  }

  @Override
  public String typeName() {
    return "object";
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof JsonObject that && members.equals(that.members);
  }

  @Override
  public int hashCode() {
    return members.hashCode();
  }

  @Override
  public String toString() {
    return "JsonObject" + members;
  }

  /**
   * Builds a {@link JsonObject}; member order is insertion order. Member names with a lone
   * surrogate are refused, as {@link JsonString} refuses such values.
   */
  public static final class Builder {
    private final LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();

    private Builder() {}

    public Builder put(String key, JsonValue value) {
      JsonString.requireWellFormed(key, "member name");
      members.put(key, value);
      return this;
    }

    public Builder put(String key, String value) {
      return put(key, new JsonString(value));
    }

    public Builder put(String key, long value) {
      return put(key, new JsonNumber(value));
    }

    public Builder put(String key, boolean value) {
      return put(key, JsonBoolean.of(value));
    }

    public Builder putAll(Map<String, ? extends JsonValue> values) {
      values.forEach(this::put);
      return this;
    }

    public Builder remove(String key) {
      members.remove(key);
      return this;
    }

    public JsonObject build() {
      return new JsonObject(new LinkedHashMap<>(members));
    }
  }
}
