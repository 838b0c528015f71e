package dev.graft.gateway.field;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.graft.policies.Manifest.ModbusPoint;
import dev.graft.policies.Manifest.ValueType;
import dev.graft.policies.Manifest.WordOrder;
import dev.graft.policies.ModbusTable;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class RegisterCodecTest {

  private static ModbusPoint point(ValueType type, String scale, String offset, WordOrder order) {
    return new ModbusPoint(
        ModbusTable.HOLDING_REGISTER,
        0,
        type,
        new BigDecimal(scale),
        new BigDecimal(offset),
        order);
  }

  @Test
  void decode_int16Negative_signExtendsAndScales() {
    ModbusPoint p = point(ValueType.INT16, "0.1", "0", WordOrder.BIG);

    assertThat(RegisterCodec.decode(p, new int[] {0xFF38})).isCloseTo(-20.0, within(1e-9));
  }

  @Test
  void decode_uint16HighBit_staysPositiveWithOffset() {
    ModbusPoint p = point(ValueType.UINT16, "1", "-40", WordOrder.BIG);

    assertThat(RegisterCodec.decode(p, new int[] {0xFF38})).isEqualTo(65_336 - 40.0);
  }

  @Test
  void decode_int32BigWordOrder_highWordFirst() {
    ModbusPoint p = point(ValueType.INT32, "1", "0", WordOrder.BIG);

    assertThat(RegisterCodec.decode(p, new int[] {0xFFFE, 0x7960})).isEqualTo(-100_000.0);
  }

  @Test
  void decode_int32LittleWordOrder_lowWordFirst() {
    ModbusPoint p = point(ValueType.INT32, "0.01", "1", WordOrder.LITTLE);

    assertThat(RegisterCodec.decode(p, new int[] {0x7960, 0xFFFE}))
        .isCloseTo(-1000.0 + 1, within(1e-9));
  }

  @Test
  void decode_uint32_neverNegative() {
    ModbusPoint p = point(ValueType.UINT32, "1", "0", WordOrder.BIG);

    assertThat(RegisterCodec.decode(p, new int[] {0xFFFF, 0xFFFF})).isEqualTo(4_294_967_295.0);
  }

  @Test
  void decode_float32BothWordOrders_sameValue() {
    int bits = Float.floatToIntBits(12.5f);
    int high = bits >>> 16;
    int low = bits & 0xffff;

    assertThat(
            RegisterCodec.decode(
                point(ValueType.FLOAT32, "2", "0.5", WordOrder.BIG), new int[] {high, low}))
        .isEqualTo(25.5);
    assertThat(
            RegisterCodec.decode(
                point(ValueType.FLOAT32, "1", "0", WordOrder.LITTLE), new int[] {low, high}))
        .isEqualTo(12.5);
  }

  @Test
  void decode_bool_isZeroOrOne() {
    ModbusPoint coil = new ModbusPoint(ModbusTable.COIL, 3, ValueType.BOOL, BigDecimal.ONE);

    assertThat(RegisterCodec.decode(coil, new int[] {1})).isEqualTo(1.0);
    assertThat(RegisterCodec.decode(coil, new int[] {0})).isEqualTo(0.0);
  }

  @Test
  void toRawAndEncode_everyType_roundTripsThroughDecode() {
    for (ValueType type : ValueType.values()) {
      if (type == ValueType.BOOL) {
        continue;
      }
      for (WordOrder order : WordOrder.values()) {
        ModbusPoint p =
            type.width() == 2
                ? point(type, "0.5", "10", order)
                : point(type, "0.5", "10", WordOrder.BIG);
        double value = 71.5;
        double raw = RegisterCodec.toRaw(p, value);
        assertThat(raw).as("%s %s", type, order).isEqualTo(123.0);
        assertThat(RegisterCodec.decode(p, RegisterCodec.encode(p, raw)))
            .as("%s %s", type, order)
            .isEqualTo(value);
      }
    }
  }

  @Test
  void toRaw_valueTheTypeCannotHold_isNaN() {
    assertThat(RegisterCodec.toRaw(point(ValueType.INT16, "1", "0", WordOrder.BIG), 40_000))
        .isNaN();
    assertThat(RegisterCodec.toRaw(point(ValueType.UINT16, "1", "0", WordOrder.BIG), -1)).isNaN();
    ModbusPoint coil = new ModbusPoint(ModbusTable.COIL, 3, ValueType.BOOL, BigDecimal.ONE);
    assertThat(RegisterCodec.toRaw(coil, 0.5)).isNaN();
  }

  @Test
  void encode_negativeInt32Little_lowWordFirst() {
    ModbusPoint p = point(ValueType.INT32, "1", "0", WordOrder.LITTLE);

    assertThat(RegisterCodec.encode(p, -100_000)).containsExactly(0x7960, 0xFFFE);
  }
}
