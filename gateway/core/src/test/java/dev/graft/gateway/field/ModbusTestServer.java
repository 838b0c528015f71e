package dev.graft.gateway.field;

import com.digitalpetri.modbus.ExceptionCode;
import com.digitalpetri.modbus.FunctionCode;
import com.digitalpetri.modbus.exceptions.ModbusResponseException;
import com.digitalpetri.modbus.pdu.ReadCoilsRequest;
import com.digitalpetri.modbus.pdu.ReadCoilsResponse;
import com.digitalpetri.modbus.pdu.ReadDiscreteInputsRequest;
import com.digitalpetri.modbus.pdu.ReadDiscreteInputsResponse;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersRequest;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersResponse;
import com.digitalpetri.modbus.pdu.ReadInputRegistersRequest;
import com.digitalpetri.modbus.pdu.ReadInputRegistersResponse;
import com.digitalpetri.modbus.pdu.WriteMultipleRegistersRequest;
import com.digitalpetri.modbus.pdu.WriteMultipleRegistersResponse;
import com.digitalpetri.modbus.pdu.WriteSingleCoilRequest;
import com.digitalpetri.modbus.pdu.WriteSingleCoilResponse;
import com.digitalpetri.modbus.pdu.WriteSingleRegisterRequest;
import com.digitalpetri.modbus.pdu.WriteSingleRegisterResponse;
import com.digitalpetri.modbus.server.ModbusRequestContext;
import com.digitalpetri.modbus.server.ModbusServices;
import com.digitalpetri.modbus.server.ModbusTcpServer;
import com.digitalpetri.modbus.tcp.server.NettyTcpServerTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jspecify.annotations.Nullable;

/**
 * A real Modbus TCP server (digitalpetri's) on a loopback port, over a plain register and coil
 * store, that records every request so tests can count reads and see writes arrive.
 */
final class ModbusTestServer implements AutoCloseable {
  /**
   * One request as the server received it: function code, first address, quantity, and for writes
   * the first value written (0/1 for a coil).
   */
  record Request(int function, int address, int quantity, int value) {
    Request(int function, int address, int quantity) {
      this(function, address, quantity, -1);
    }
  }

  final AtomicIntegerArray coils = new AtomicIntegerArray(65_536);
  final AtomicIntegerArray discreteInputs = new AtomicIntegerArray(65_536);
  final AtomicIntegerArray inputRegisters = new AtomicIntegerArray(65_536);
  final AtomicIntegerArray holdingRegisters = new AtomicIntegerArray(65_536);
  final List<Request> requests = new CopyOnWriteArrayList<>();

  /** Input registers whose reads the device answers with ILLEGAL_DATA_ADDRESS. */
  final Set<Integer> brokenInputRegisters = ConcurrentHashMap.newKeySet();

  /** How long the device takes to answer an input register read, in milliseconds. */
  volatile long inputRegisterDelayMs;

  final int port;
  private @Nullable ModbusTcpServer server;

  ModbusTestServer() throws Exception {
    this.port = freePort();
    start();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  String address() {
    return "modbus-tcp://127.0.0.1:" + port + "?unit=1";
  }

  synchronized void start() throws Exception {
    NettyTcpServerTransport transport =
        NettyTcpServerTransport.create(cfg -> {
          cfg.setBindAddress("127.0.0.1");
          cfg.setPort(port);
        });
    ModbusTcpServer s = ModbusTcpServer.create(transport, new Services());
    s.start();
    server = s;
  }

  /** Stops listening and drops the connections, as a powered-off device would. */
  synchronized void stop() throws Exception {
    ModbusTcpServer s = server;
    if (s != null) {
      s.stop();
      server = null;
    }
  }

  /** A device reboot: all outputs forgotten. */
  void forgetOutputs() {
    for (int i = 0; i < 65_536; i++) {
      coils.set(i, 0);
      holdingRegisters.set(i, 0);
    }
  }

  long count(int function) {
    return requests.stream().filter(r -> r.function() == function).count();
  }

  List<Request> requests(int function) {
    return requests.stream().filter(r -> r.function() == function).toList();
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  private final class Services implements ModbusServices {
    @Override
    public ReadCoilsResponse readCoils(ModbusRequestContext ctx, int unit, ReadCoilsRequest r) {
      requests.add(new Request(FunctionCode.READ_COILS.getCode(), r.address(), r.quantity()));
      return new ReadCoilsResponse(pack(coils, r.address(), r.quantity()));
    }

    @Override
    public ReadDiscreteInputsResponse readDiscreteInputs(
        ModbusRequestContext ctx, int unit, ReadDiscreteInputsRequest r) {
      requests.add(
          new Request(FunctionCode.READ_DISCRETE_INPUTS.getCode(), r.address(), r.quantity()));
      return new ReadDiscreteInputsResponse(pack(discreteInputs, r.address(), r.quantity()));
    }

    @Override
    public ReadInputRegistersResponse readInputRegisters(
        ModbusRequestContext ctx, int unit, ReadInputRegistersRequest r)
        throws ModbusResponseException {
      requests.add(
          new Request(FunctionCode.READ_INPUT_REGISTERS.getCode(), r.address(), r.quantity()));
      long delay = inputRegisterDelayMs;
      if (delay > 0) {
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      for (int a = r.address(); a < r.address() + r.quantity(); a++) {
        if (brokenInputRegisters.contains(a)) {
          throw new ModbusResponseException(
              FunctionCode.READ_INPUT_REGISTERS, ExceptionCode.ILLEGAL_DATA_ADDRESS);
        }
      }
      return new ReadInputRegistersResponse(words(inputRegisters, r.address(), r.quantity()));
    }

    @Override
    public ReadHoldingRegistersResponse readHoldingRegisters(
        ModbusRequestContext ctx, int unit, ReadHoldingRegistersRequest r) {
      requests.add(
          new Request(FunctionCode.READ_HOLDING_REGISTERS.getCode(), r.address(), r.quantity()));
      return new ReadHoldingRegistersResponse(words(holdingRegisters, r.address(), r.quantity()));
    }

    @Override
    public WriteSingleCoilResponse writeSingleCoil(
        ModbusRequestContext ctx, int unit, WriteSingleCoilRequest r) {
      int bit = r.value() == 0xFF00 ? 1 : 0;
      requests.add(new Request(FunctionCode.WRITE_SINGLE_COIL.getCode(), r.address(), 1, bit));
      coils.set(r.address(), bit);
      return new WriteSingleCoilResponse(r.address(), r.value());
    }

    @Override
    public WriteSingleRegisterResponse writeSingleRegister(
        ModbusRequestContext ctx, int unit, WriteSingleRegisterRequest r) {
      requests.add(
          new Request(
              FunctionCode.WRITE_SINGLE_REGISTER.getCode(), r.address(), 1, r.value() & 0xffff));
      holdingRegisters.set(r.address(), r.value() & 0xffff);
      return new WriteSingleRegisterResponse(r.address(), r.value());
    }

    @Override
    public WriteMultipleRegistersResponse writeMultipleRegisters(
        ModbusRequestContext ctx, int unit, WriteMultipleRegistersRequest r) {
      byte[] v = r.values();
      requests.add(
          new Request(
              FunctionCode.WRITE_MULTIPLE_REGISTERS.getCode(),
              r.address(),
              r.quantity(),
              (v[0] & 0xff) << 8 | (v[1] & 0xff)));
      for (int i = 0; i < r.quantity(); i++) {
        holdingRegisters.set(r.address() + i, (v[2 * i] & 0xff) << 8 | (v[2 * i + 1] & 0xff));
      }
      return new WriteMultipleRegistersResponse(r.address(), r.quantity());
    }
  }

  private static byte[] pack(AtomicIntegerArray bits, int address, int quantity) {
    byte[] out = new byte[(quantity + 7) / 8];
    for (int i = 0; i < quantity; i++) {
      if (bits.get(address + i) != 0) {
        out[i / 8] |= (byte) (1 << (i % 8));
      }
    }
    return out;
  }

  private static byte[] words(AtomicIntegerArray registers, int address, int quantity) {
    byte[] out = new byte[quantity * 2];
    for (int i = 0; i < quantity; i++) {
      int w = registers.get(address + i);
      out[2 * i] = (byte) (w >> 8);
      out[2 * i + 1] = (byte) w;
    }
    return out;
  }
}
