package dev.graft.sim.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.digitalpetri.modbus.exceptions.ModbusResponseException;
import com.digitalpetri.modbus.exceptions.UnknownUnitIdException;
import com.digitalpetri.modbus.pdu.ReadCoilsRequest;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersRequest;
import com.digitalpetri.modbus.pdu.ReadInputRegistersRequest;
import com.digitalpetri.modbus.pdu.WriteMultipleCoilsRequest;
import com.digitalpetri.modbus.pdu.WriteMultipleRegistersRequest;
import com.digitalpetri.modbus.pdu.WriteSingleCoilRequest;
import com.digitalpetri.modbus.server.ModbusRequestContext;
import dev.graft.sim.Faults;
import dev.graft.sim.WordOrder;
import dev.graft.sim.plant.Plant;
import dev.graft.sim.plant.PlantParameters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The PLC's request handling without sockets; the wire itself is covered by mbpoll. */
class BoilerPlcServicesTest {
  private static final ModbusRequestContext CONTEXT =
      new ModbusRequestContext.ModbusTcpRequestContext() {
        @Override
        public SocketAddress localAddress() {
          return new InetSocketAddress(InetAddress.getLoopbackAddress(), 502);
        }

        @Override
        public SocketAddress remoteAddress() {
          return new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
        }
      };

  private final Plant plant = new Plant(PlantParameters.DEFAULT, 3);
  private final Faults faults = new Faults(plant);

  private BoilerPlcServices plc(WordOrder order) {
    return new BoilerPlcServices(plant, faults, 1, order);
  }

  private static int exceptionCode(ThrowingCall call) {
    try {
      call.run();
    } catch (ModbusResponseException e) {
      return e.getExceptionCode();
    } catch (UnknownUnitIdException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no Modbus exception");
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws ModbusResponseException, UnknownUnitIdException;
  }

  @Test
  void readInputRegisters_littleWordOrder_lowWordFirst() throws Exception {
    byte[] big =
        plc(WordOrder.BIG)
            .readInputRegisters(CONTEXT, 1, new ReadInputRegistersRequest(2, 2))
            .registers();
    byte[] little =
        plc(WordOrder.LITTLE)
            .readInputRegisters(CONTEXT, 1, new ReadInputRegistersRequest(2, 2))
            .registers();

    assertThat(ByteBuffer.wrap(big).getFloat()).isEqualTo((float) plant.flowLpm());
    byte[] swapped = {little[2], little[3], little[0], little[1]};
    assertThat(swapped).isEqualTo(big);
  }

  @Test
  void readInputRegisters_negativeTemperature_isTwosComplement() throws Exception {
    PlantParameters frozen =
        new PlantParameters(-10.0, -12.5, 0.5, 0.004, 0.0, 12.0, 0.0, 60.0, true, 5);
    Plant cold = new Plant(frozen, 3);
    byte[] registers =
        new BoilerPlcServices(cold, new Faults(cold), 1, WordOrder.BIG)
            .readInputRegisters(CONTEXT, 1, new ReadInputRegistersRequest(0, 1))
            .registers();

    assertThat(ByteBuffer.wrap(registers).getShort()).isEqualTo((short) -125);
  }

  @Test
  void writeMultipleCoils_setsEachBit() throws Exception {
    // Coils 0..9: bits 0b1000001001 (coils 0, 3 and 9 on), LSB first as Modbus packs them.
    plc(WordOrder.BIG)
        .writeMultipleCoils(
            CONTEXT, 1, new WriteMultipleCoilsRequest(0, 10, new byte[] {0b0000_1001, 0b10}));

    assertThat(plant.coils(0, 10))
        .containsExactly(true, false, false, true, false, false, false, false, false, true);
    assertThat(plant.burner()).isTrue();
    byte[] read = plc(WordOrder.BIG).readCoils(CONTEXT, 1, new ReadCoilsRequest(0, 10)).coils();
    assertThat(read).containsExactly(0b0000_1001, 0b10);
  }

  @Test
  void writeMultipleRegisters_bigEndianValues() throws Exception {
    plc(WordOrder.BIG)
        .writeMultipleRegisters(
            CONTEXT, 1, new WriteMultipleRegistersRequest(4, 2, new byte[] {0x12, 0x34, -1, -2}));

    assertThat(plant.holdingRegisters(4, 2)).containsExactly(0x1234, 0xFFFE);
    byte[] read =
        plc(WordOrder.BIG)
            .readHoldingRegisters(CONTEXT, 1, new ReadHoldingRegistersRequest(4, 2))
            .registers();
    assertThat(read).containsExactly(0x12, 0x34, -1, -2);
  }

  @Test
  void writeSingleCoil_valueNeitherOnNorOff_illegalDataValueAndNoChange() {
    BoilerPlcServices plc = plc(WordOrder.BIG);

    int code =
        exceptionCode(() -> plc.writeSingleCoil(CONTEXT, 1, new WriteSingleCoilRequest(3, 0x1234)));

    assertThat(code).isEqualTo(3);
    assertThat(plant.burner()).isFalse();
  }

  @Test
  void read_quantityZeroOrPastTheTable_dataValueOrAddressException() {
    BoilerPlcServices plc = plc(WordOrder.BIG);

    assertThat(
            exceptionCode(
                () -> plc.readHoldingRegisters(CONTEXT, 1, new ReadHoldingRegistersRequest(0, 0))))
        .isEqualTo(3);
    assertThat(
            exceptionCode(
                () -> plc.readHoldingRegisters(CONTEXT, 1, new ReadHoldingRegistersRequest(30, 3))))
        .isEqualTo(2);
  }

  @Test
  void anyRequest_otherUnit_unknownUnit() {
    assertThatThrownBy(() ->
            plc(WordOrder.BIG).readInputRegisters(CONTEXT, 7, new ReadInputRegistersRequest(0, 1)))
        .isInstanceOf(UnknownUnitIdException.class);
  }

  @Test
  void toTenthsClamped_beyondInt16_clamps() {
    assertThat(BoilerPlcServices.toTenthsClamped(5000.0)).isEqualTo(Short.MAX_VALUE);
    assertThat(BoilerPlcServices.toTenthsClamped(-5000.0)).isEqualTo(Short.MIN_VALUE);
    assertThat(BoilerPlcServices.toTenthsClamped(23.46)).isEqualTo((short) 235);
  }
}
