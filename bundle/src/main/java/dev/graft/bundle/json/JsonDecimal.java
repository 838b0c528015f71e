package dev.graft.bundle.json;

import java.math.BigDecimal;

/**
 * A JSON number with a fraction or exponent. Only a parser made with {@link
 * JsonParser#allowingDecimals()} produces one; canonical JSON refuses it, so it can never be part
 * of anything signed.
 */
public record JsonDecimal(BigDecimal value) implements JsonValue {
  @Override
  public String typeName() {
    return "decimal";
  }
}
