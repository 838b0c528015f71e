package dev.graft.bundle.json;

/** A JSON integer. Canonical JSON has no fractions or exponents, so neither does this model. */
public record JsonNumber(long value) implements JsonValue {
  @Override
  public String typeName() {
    return "integer";
  }
}
