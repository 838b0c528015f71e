package dev.graft.sim.modbus;

import com.digitalpetri.modbus.ExceptionCode;
import com.digitalpetri.modbus.FunctionCode;
import com.digitalpetri.modbus.exceptions.ModbusResponseException;
import com.digitalpetri.modbus.exceptions.UnknownUnitIdException;
import com.digitalpetri.modbus.pdu.ReadCoilsRequest;
import com.digitalpetri.modbus.pdu.ReadCoilsResponse;
import com.digitalpetri.modbus.pdu.ReadDiscreteInputsRequest;
import com.digitalpetri.modbus.pdu.ReadDiscreteInputsResponse;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersRequest;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersResponse;
import com.digitalpetri.modbus.pdu.ReadInputRegistersRequest;
import com.digitalpetri.modbus.pdu.ReadInputRegistersResponse;
import com.digitalpetri.modbus.pdu.WriteMultipleCoilsRequest;
import com.digitalpetri.modbus.pdu.WriteMultipleCoilsResponse;
import com.digitalpetri.modbus.pdu.WriteMultipleRegistersRequest;
import com.digitalpetri.modbus.pdu.WriteMultipleRegistersResponse;
import com.digitalpetri.modbus.pdu.WriteSingleCoilRequest;
import com.digitalpetri.modbus.pdu.WriteSingleCoilResponse;
import com.digitalpetri.modbus.pdu.WriteSingleRegisterRequest;
import com.digitalpetri.modbus.pdu.WriteSingleRegisterResponse;
import com.digitalpetri.modbus.server.ModbusRequestContext;
import com.digitalpetri.modbus.server.ModbusServices;
import dev.graft.sim.Faults;
import dev.graft.sim.ModbusExceptionFault;
import dev.graft.sim.RegisterTable;
import dev.graft.sim.WordOrder;
import dev.graft.sim.plant.Plant;
import dev.graft.sim.plant.PlantReading;
import dev.graft.sim.plant.RegisterMap;

/**
 * The boiler PLC's answers: reads and writes of the plant's memory, input registers encoded from
 * the model, and the fault switches applied on the way. Requests for another unit id get no answer,
 * as a PLC behind a Modbus TCP gateway would give none.
 */
final class BoilerPlcServices implements ModbusServices {
  private static final int MAX_REGISTERS = 125;
  private static final int MAX_BITS = 2000;
  private static final int MAX_WRITE_REGISTERS = 123;
  private static final int MAX_WRITE_BITS = 1968;

  private final Plant plant;
  private final Faults faults;
  private final int unitId;
  private final WordOrder flowWordOrder;

  BoilerPlcServices(Plant plant, Faults faults, int unitId, WordOrder flowWordOrder) {
    this.plant = plant;
    this.faults = faults;
    this.unitId = unitId;
    this.flowWordOrder = flowWordOrder;
  }

  @Override
  public ReadCoilsResponse readCoils(
      ModbusRequestContext context, int unitId, ReadCoilsRequest request)
      throws ModbusResponseException, UnknownUnitIdException {
    admit(
        unitId,
        FunctionCode.READ_COILS,
        RegisterTable.COIL,
        request.address(),
        request.quantity(),
        MAX_BITS);
    return new ReadCoilsResponse(packBits(plant.coils(request.address(), request.quantity())));
  }

  @Override
  public ReadDiscreteInputsResponse readDiscreteInputs(
      ModbusRequestContext context, int unitId, ReadDiscreteInputsRequest request)
      throws ModbusResponseException, UnknownUnitIdException {
    admit(
        unitId,
        FunctionCode.READ_DISCRETE_INPUTS,
        RegisterTable.DISCRETE_INPUT,
        request.address(),
        request.quantity(),
        MAX_BITS);
    return new ReadDiscreteInputsResponse(
        packBits(plant.discreteInputs(request.address(), request.quantity())));
  }

  @Override
  public ReadHoldingRegistersResponse readHoldingRegisters(
      ModbusRequestContext context, int unitId, ReadHoldingRegistersRequest request)
      throws ModbusResponseException, UnknownUnitIdException {
    admit(
        unitId,
        FunctionCode.READ_HOLDING_REGISTERS,
        RegisterTable.HOLDING_REGISTER,
        request.address(),
        request.quantity(),
        MAX_REGISTERS);
    return new ReadHoldingRegistersResponse(
        packRegisters(plant.holdingRegisters(request.address(), request.quantity())));
  }

  @Override
  public ReadInputRegistersResponse readInputRegisters(
      ModbusRequestContext context, int unitId, ReadInputRegistersRequest request)
      throws ModbusResponseException, UnknownUnitIdException {
    admit(
        unitId,
        FunctionCode.READ_INPUT_REGISTERS,
        RegisterTable.INPUT_REGISTER,
        request.address(),
        request.quantity(),
        MAX_REGISTERS);
    int[] all = inputRegisters();
    int[] requested = new int[request.quantity()];
    System.arraycopy(all, request.address(), requested, 0, request.quantity());
    return new ReadInputRegistersResponse(packRegisters(requested));
  }

  @Override
  public WriteSingleCoilResponse writeSingleCoil(
      ModbusRequestContext context, int unitId, WriteSingleCoilRequest request)
      throws ModbusResponseException, UnknownUnitIdException {
    admit(unitId, FunctionCode.WRITE_SINGLE_COIL, RegisterTable.COIL, request.address(), 1, 1);
    boolean on;
    if (request.value() == 0xFF00) {
      on = true;
    } else if (request.value() == 0x0000) {
      on = false;
    } else {
      throw new ModbusResponseException(
          FunctionCode.WRITE_SINGLE_COIL, ExceptionCode.ILLEGAL_DATA_VALUE);
    }
    plant.writeCoils(request.address(), new boolean[] {on});
    return new WriteSingleCoilResponse(request.address(), request.value());
  }

  @Override
  public WriteSingleRegisterResponse writeSingleRegister(
      ModbusRequestContext context, int unitId, WriteSingleRegisterRequest request)
      throws ModbusResponseException, UnknownUnitIdException {
    admit(
        unitId,
        FunctionCode.WRITE_SINGLE_REGISTER,
        RegisterTable.HOLDING_REGISTER,
        request.address(),
        1,
        1);
    plant.writeHoldingRegisters(request.address(), new int[] {request.value()});
    return new WriteSingleRegisterResponse(request.address(), request.value());
  }

  @Override
  public WriteMultipleCoilsResponse writeMultipleCoils(
      ModbusRequestContext context, int unitId, WriteMultipleCoilsRequest request)
      throws ModbusResponseException, UnknownUnitIdException {
    admit(
        unitId,
        FunctionCode.WRITE_MULTIPLE_COILS,
        RegisterTable.COIL,
        request.address(),
        request.quantity(),
        MAX_WRITE_BITS);
    byte[] packed = request.values();
    if (packed.length < (request.quantity() + 7) / 8) {
      throw new ModbusResponseException(
          FunctionCode.WRITE_MULTIPLE_COILS, ExceptionCode.ILLEGAL_DATA_VALUE);
    }
    boolean[] values = new boolean[request.quantity()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (packed[i / 8] & (1 << (i % 8))) != 0;
    }
    plant.writeCoils(request.address(), values);
    return new WriteMultipleCoilsResponse(request.address(), request.quantity());
  }

  @Override
  public WriteMultipleRegistersResponse writeMultipleRegisters(
      ModbusRequestContext context, int unitId, WriteMultipleRegistersRequest request)
      throws ModbusResponseException, UnknownUnitIdException {
    admit(
        unitId,
        FunctionCode.WRITE_MULTIPLE_REGISTERS,
        RegisterTable.HOLDING_REGISTER,
        request.address(),
        request.quantity(),
        MAX_WRITE_REGISTERS);
    byte[] bytes = request.values();
    if (bytes.length < 2 * request.quantity()) {
      throw new ModbusResponseException(
          FunctionCode.WRITE_MULTIPLE_REGISTERS, ExceptionCode.ILLEGAL_DATA_VALUE);
    }
    int[] values = new int[request.quantity()];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF);
    }
    plant.writeHoldingRegisters(request.address(), values);
    return new WriteMultipleRegistersResponse(request.address(), request.quantity());
  }

  /**
   * The checks every request passes, in the order a PLC makes them: unit id, (slow) processing,
   * injected exceptions, quantity, address range.
   */
  private void admit(
      int requestUnitId,
      FunctionCode function,
      RegisterTable table,
      int address,
      int quantity,
      int maxQuantity)
      throws ModbusResponseException, UnknownUnitIdException {
    if (requestUnitId != unitId) {
      throw new UnknownUnitIdException(requestUnitId);
    }
    try {
      faults.awaitResponseDelay();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModbusResponseException(function, ExceptionCode.SLAVE_DEVICE_BUSY);
    }
    ModbusExceptionFault fault = faults.modbusException();
    if (fault != null && fault.hits(table, address, quantity)) {
      throw new ModbusResponseException(function.getCode(), fault.exceptionCode());
    }
    if (quantity < 1 || quantity > maxQuantity) {
      throw new ModbusResponseException(function, ExceptionCode.ILLEGAL_DATA_VALUE);
    }
    if (address < 0 || address + quantity > RegisterMap.TABLE_SIZE) {
      throw new ModbusResponseException(function, ExceptionCode.ILLEGAL_DATA_ADDRESS);
    }
  }

  /** The input-register table as the PLC computes it from its sensors, faults included. */
  private int[] inputRegisters() {
    PlantReading reading = plant.reading();
    int[] registers = new int[RegisterMap.TABLE_SIZE];
    short temperature =
        faults.corruptTemperature()
            ? RegisterMap.SENSOR_BREAK
            : toTenthsClamped(reading.measuredTemperatureC());
    registers[RegisterMap.TEMPERATURE_INPUT_REGISTER] = temperature & 0xFFFF;
    float flow = faults.corruptFlow() ? Float.NaN : (float) reading.flowLpm();
    int bits = Float.floatToIntBits(flow);
    int high = (bits >>> 16) & 0xFFFF;
    int low = bits & 0xFFFF;
    boolean bigFirst = flowWordOrder == WordOrder.BIG;
    registers[RegisterMap.FLOW_INPUT_REGISTER] = bigFirst ? high : low;
    registers[RegisterMap.FLOW_INPUT_REGISTER + 1] = bigFirst ? low : high;
    return registers;
  }

  static short toTenthsClamped(double celsius) {
    long tenths = Math.round(celsius * 10.0);
    return (short) Math.clamp(tenths, Short.MIN_VALUE, Short.MAX_VALUE);
  }

  private static byte[] packBits(boolean[] bits) {
    byte[] packed = new byte[(bits.length + 7) / 8];
    for (int i = 0; i < bits.length; i++) {
      if (bits[i]) {
        packed[i / 8] |= (byte) (1 << (i % 8));
      }
    }
    return packed;
  }

  private static byte[] packRegisters(int[] registers) {
    byte[] bytes = new byte[registers.length * 2];
    for (int i = 0; i < registers.length; i++) {
      bytes[2 * i] = (byte) (registers[i] >>> 8);
      bytes[2 * i + 1] = (byte) registers[i];
    }
    return bytes;
  }
}
