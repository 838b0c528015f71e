package dev.graft.gateway.field;

import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.policies.Manifest.ModbusPoint;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One polled input: where it lives on its device and its latest reading. Written by the device
 * link's thread (or a CoAP notification), read lock-free by {@link FieldPort#snapshot()}.
 */
final class InputCell {
  /** A value with the monotonic time it was read, or a bad reading that keeps the last value. */
  record Reading(double value, long atNanos, boolean bad) {}

  private final @Nullable ModbusPoint modbus;
  private final @Nullable String coapPath;
  private final AtomicReference<Reading> reading =
      new AtomicReference<>(new Reading(Double.NaN, 0, true));

  private InputCell(@Nullable ModbusPoint modbus, @Nullable String coapPath) {
    this.modbus = modbus;
    this.coapPath = coapPath;
  }

  static InputCell modbus(ModbusPoint point) {
    return new InputCell(point, null);
  }

  static InputCell coap(String path) {
    return new InputCell(null, path);
  }

  @Nullable ModbusPoint modbusPoint() {
    return modbus;
  }

  @Nullable String coapPath() {
    return coapPath;
  }

  ReadPlan.Span span() {
    ModbusPoint point = java.util.Objects.requireNonNull(modbus, "not a Modbus input");
    return new ReadPlan.Span(point.table(), point.address(), point.type().width());
  }

  void update(double value, long nowNanos) {
    reading.set(new Reading(value, nowNanos, false));
  }

  /** Marks the reading bad (link down, exception answer, unreadable payload); keeps the value. */
  void markBad() {
    reading.updateAndGet(r -> r.bad() ? r : new Reading(r.value(), r.atNanos(), true));
  }

  Reading reading() {
    return reading.get();
  }

  double value() {
    return reading.get().value();
  }

  /** Good, stale (older than {@code staleNanos}) or bad, as {@link ProcessImage} codes them. */
  int quality(long nowNanos, long staleNanos) {
    Reading r = reading.get();
    if (r.bad()) {
      return ProcessImage.BAD;
    }
    return nowNanos - r.atNanos() > staleNanos ? ProcessImage.STALE : ProcessImage.GOOD;
  }
}
