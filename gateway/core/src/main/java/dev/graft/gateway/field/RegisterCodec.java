package dev.graft.gateway.field;

import dev.graft.policies.Manifest.ModbusPoint;
import dev.graft.policies.Manifest.ValueType;
import dev.graft.policies.Manifest.WordOrder;

/**
 * Converts between a Modbus point's registers (or bit) and its value in the module's units: value =
 * raw × scale + offset. Registers are passed as unsigned 16-bit words in address order.
 */
final class RegisterCodec {
  private RegisterCodec() {}

  /** The value in module units of the raw words a point occupies. */
  static double decode(ModbusPoint point, int[] words) {
    if (words.length != point.type().width()) {
      throw new IllegalArgumentException(
          point.type().wire() + " takes " + point.type().width() + " words, got " + words.length);
    }
    double raw = raw(point, words);
    if (point.type() == ValueType.BOOL) {
      return raw;
    }
    return raw * point.scale().doubleValue() + point.offset().doubleValue();
  }

  /** The raw device value of the words, before scale and offset. */
  static double raw(ModbusPoint point, int[] words) {
    return switch (point.type()) {
      case BOOL -> words[0] != 0 ? 1 : 0;
      case INT16 -> (short) words[0];
      case UINT16 -> words[0] & 0xffff;
      case INT32 -> join(point.wordOrder(), words);
      case UINT32 -> join(point.wordOrder(), words) & 0xffff_ffffL;
      case FLOAT32 -> Float.intBitsToFloat(join(point.wordOrder(), words));
    };
  }

  /**
   * The raw device value for a value in module units, rounded to what the type holds; NaN when the
   * type cannot hold it.
   */
  static double toRaw(ModbusPoint point, double value) {
    if (point.type() == ValueType.BOOL) {
      return value == 0 || value == 1 ? value : Double.NaN;
    }
    double raw = (value - point.offset().doubleValue()) / point.scale().doubleValue();
    return switch (point.type()) {
      case BOOL -> throw new AssertionError("handled above");
      case INT16 -> within(Math.rint(raw), Short.MIN_VALUE, Short.MAX_VALUE);
      case UINT16 -> within(Math.rint(raw), 0, 0xffff);
      case INT32 -> within(Math.rint(raw), Integer.MIN_VALUE, Integer.MAX_VALUE);
      case UINT32 -> within(Math.rint(raw), 0, 0xffff_ffffL);
      case FLOAT32 -> Float.isFinite((float) raw) ? (double) (float) raw : Double.NaN;
    };
  }

  /** Whether the point's type holds {@code raw} exactly (an integer in range, a finite float). */
  static boolean holds(ModbusPoint point, double raw) {
    return switch (point.type()) {
      case BOOL -> raw == 0 || raw == 1;
      case INT16 -> raw == Math.rint(raw) && raw >= Short.MIN_VALUE && raw <= Short.MAX_VALUE;
      case UINT16 -> raw == Math.rint(raw) && raw >= 0 && raw <= 0xffff;
      case INT32 -> raw == Math.rint(raw) && raw >= Integer.MIN_VALUE && raw <= Integer.MAX_VALUE;
      case UINT32 -> raw == Math.rint(raw) && raw >= 0 && raw <= 0xffff_ffffL;
      case FLOAT32 -> Float.isFinite((float) raw) && (double) (float) raw == raw;
    };
  }

  /** The value in module units of a raw device value. */
  static double fromRaw(ModbusPoint point, double raw) {
    if (point.type() == ValueType.BOOL) {
      return raw;
    }
    return raw * point.scale().doubleValue() + point.offset().doubleValue();
  }

  /** The words to write for a raw value {@link #toRaw} produced. */
  static int[] encode(ModbusPoint point, double raw) {
    return switch (point.type()) {
      case BOOL -> new int[] {raw != 0 ? 1 : 0};
      case INT16, UINT16 -> new int[] {(int) raw & 0xffff};
      case INT32, UINT32 -> split(point.wordOrder(), (int) (long) raw);
      case FLOAT32 -> split(point.wordOrder(), Float.floatToIntBits((float) raw));
    };
  }

  private static int join(WordOrder order, int[] words) {
    int high = order == WordOrder.BIG ? words[0] : words[1];
    int low = order == WordOrder.BIG ? words[1] : words[0];
    return (high & 0xffff) << 16 | (low & 0xffff);
  }

  private static int[] split(WordOrder order, int bits) {
    int high = bits >>> 16;
    int low = bits & 0xffff;
    return order == WordOrder.BIG ? new int[] {high, low} : new int[] {low, high};
  }

  private static double within(double raw, double min, double max) {
    return raw >= min && raw <= max ? raw : Double.NaN;
  }
}
