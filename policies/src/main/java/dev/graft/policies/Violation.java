package dev.graft.policies;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One way a manifest asks for more than its grant allows. Point, device, table and address are
 * present where they apply (a limit has none of them); the message says what the grant allows.
 */
public record Violation(
    @Nullable String point,
    @Nullable String device,
    @Nullable ModbusTable table,
    @Nullable Integer address,
    String message) {

  static Violation ofLimit(String message) {
    return new Violation(null, null, null, null, message);
  }

  public Optional<String> pointName() {
    return Optional.ofNullable(point);
  }

  public Optional<String> deviceName() {
    return Optional.ofNullable(device);
  }

  @Override
  public String toString() {
    return message;
  }
}
