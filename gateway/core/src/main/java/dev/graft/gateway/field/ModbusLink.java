package dev.graft.gateway.field;

import com.digitalpetri.modbus.client.ModbusTcpClient;
import com.digitalpetri.modbus.exceptions.ModbusExecutionException;
import com.digitalpetri.modbus.exceptions.ModbusResponseException;
import com.digitalpetri.modbus.exceptions.ModbusTimeoutException;
import com.digitalpetri.modbus.pdu.ReadCoilsRequest;
import com.digitalpetri.modbus.pdu.ReadDiscreteInputsRequest;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersRequest;
import com.digitalpetri.modbus.pdu.ReadInputRegistersRequest;
import com.digitalpetri.modbus.pdu.WriteMultipleRegistersRequest;
import com.digitalpetri.modbus.pdu.WriteSingleCoilRequest;
import com.digitalpetri.modbus.pdu.WriteSingleRegisterRequest;
import com.digitalpetri.modbus.tcp.client.NettyTcpClientTransport;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.Manifest.ModbusPoint;
import dev.graft.policies.ModbusTable;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Modbus TCP device ({@code modbus-tcp://host:port?unit=N}) over digitalpetri's client. */
final class ModbusLink extends DeviceLink {
  private static final System.Logger LOG = System.getLogger(ModbusLink.class.getName());
  private static final Pattern UNIT = Pattern.compile("unit=(\\d{1,3})");
  private static final int DEFAULT_PORT = 502;

  private final ModbusTcpClient client;
  private final int unit;
  private final List<Grant.ModbusRange> granted;

  ModbusLink(Grant.Device device, FieldOptions options, Consumer<DeviceLink> onLost) {
    super(device.name(), options, onLost);
    URI address = device.address();
    String host = Objects.requireNonNull(address.getHost(), "address without a host");
    int port = address.getPort() < 0 ? DEFAULT_PORT : address.getPort();
    this.unit = unit(address);
    this.granted = device.modbus();
    NettyTcpClientTransport transport =
        NettyTcpClientTransport.create(cfg -> {
          cfg.setHostname(host);
          cfg.setPort(port);
          cfg.setConnectTimeout(options.requestTimeout());
          // the link reconnects by itself, with its own backoff, so it notices every reconnect
          cfg.setConnectPersistent(false);
        });
    this.client =
        ModbusTcpClient.create(transport, cfg -> cfg.setRequestTimeout(options.requestTimeout()));
  }

  private static int unit(URI address) {
    String query = address.getRawQuery();
    if (query == null) {
      return 1;
    }
    Matcher m = UNIT.matcher(query);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + address + "': the only query allowed is unit=N");
    }
    return Integer.parseInt(m.group(1));
  }

  @Override
  protected void connect() throws LinkDown {
    try {
      client.connect();
    } catch (ModbusExecutionException e) {
      throw new LinkDown("cannot connect: " + e.getMessage(), e);
    }
  }

  @Override
  protected void disconnect() {
    try {
      client.disconnect();
    } catch (ModbusExecutionException | RuntimeException e) {
      LOG.log(Level.DEBUG, "field device {0}: disconnect: {1}", device, e.toString());
    }
  }

  @Override
  protected void poll(List<InputCell> inputs) throws LinkDown {
    List<ReadPlan.Span> mapped = new ArrayList<>(inputs.size());
    for (InputCell cell : inputs) {
      mapped.add(cell.span());
    }
    for (ReadPlan.Span read : ReadPlan.plan(mapped, options.maxGap(), granted)) {
      int[] words;
      try {
        words = read(read);
      } catch (ModbusResponseException e) {
        // an exception answer spoils this read only; the other reads go on
        LOG.log(
            Level.DEBUG,
            "field device {0}: {1} {2}+{3} answered exception {4}",
            device,
            read.table().wire(),
            read.start(),
            read.count(),
            e.getExceptionCode());
        for (InputCell cell : inputs) {
          if (read.covers(cell.span())) {
            cell.markBad();
          }
        }
        continue;
      } catch (ModbusExecutionException | ModbusTimeoutException e) {
        throw new LinkDown(read.table().wire() + " read failed: " + e.getMessage(), e);
      }
      long now = System.nanoTime();
      for (InputCell cell : inputs) {
        ReadPlan.Span span = cell.span();
        if (read.covers(span)) {
          ModbusPoint point = Objects.requireNonNull(cell.modbusPoint());
          int[] own = new int[span.count()];
          System.arraycopy(words, span.start() - read.start(), own, 0, own.length);
          double value = RegisterCodec.decode(point, own);
          if (Double.isFinite(value)) {
            cell.update(value, now);
          } else {
            // a float32 NaN or infinity is no measurement (a sensor fault, as CoAP reads it too)
            cell.markBad();
          }
        }
      }
    }
  }

  /** Reads one span; returns one unsigned word (or 0/1 bit) per address. */
  private int[] read(ReadPlan.Span read)
      throws ModbusExecutionException, ModbusResponseException, ModbusTimeoutException {
    return switch (read.table()) {
      case COIL ->
          bits(
              client.readCoils(unit, new ReadCoilsRequest(read.start(), read.count())).coils(),
              read.count());
      case DISCRETE_INPUT ->
          bits(
              client
                  .readDiscreteInputs(
                      unit, new ReadDiscreteInputsRequest(read.start(), read.count()))
                  .inputs(),
              read.count());
      case INPUT_REGISTER ->
          words(
              client
                  .readInputRegisters(
                      unit, new ReadInputRegistersRequest(read.start(), read.count()))
                  .registers(),
              read.count());
      case HOLDING_REGISTER ->
          words(
              client
                  .readHoldingRegisters(
                      unit, new ReadHoldingRegistersRequest(read.start(), read.count()))
                  .registers(),
              read.count());
    };
  }

  private int[] bits(byte[] packed, int count) throws ModbusExecutionException {
    if (packed.length * 8 < count) {
      throw new ModbusExecutionException("short answer: " + packed.length + " bytes of bits");
    }
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = (packed[i / 8] >> (i % 8)) & 1;
    }
    return out;
  }

  private int[] words(byte[] bytes, int count) throws ModbusExecutionException {
    if (bytes.length < count * 2) {
      throw new ModbusExecutionException("short answer: " + bytes.length + " bytes of registers");
    }
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = (bytes[2 * i] & 0xff) << 8 | (bytes[2 * i + 1] & 0xff);
    }
    return out;
  }

  @Override
  protected boolean write(OutputChannel channel, OutputChannel.Setting setting) throws LinkDown {
    ModbusPoint point =
        switch (setting.point()) {
          case Manifest.Point.Modbus modbus -> modbus.modbus();
          case Manifest.Point.Coap coap -> throw new IllegalStateException("not a Modbus output");
        };
    int[] words = RegisterCodec.encode(point, setting.raw());
    try {
      if (point.table() == ModbusTable.COIL) {
        client.writeSingleCoil(unit, new WriteSingleCoilRequest(point.address(), words[0] != 0));
      } else if (words.length == 1) {
        client.writeSingleRegister(unit, new WriteSingleRegisterRequest(point.address(), words[0]));
      } else {
        byte[] bytes = new byte[words.length * 2];
        for (int i = 0; i < words.length; i++) {
          bytes[2 * i] = (byte) (words[i] >> 8);
          bytes[2 * i + 1] = (byte) words[i];
        }
        client.writeMultipleRegisters(
            unit, new WriteMultipleRegistersRequest(point.address(), words.length, bytes));
      }
      return true;
    } catch (ModbusResponseException e) {
      LOG.log(
          Level.WARNING,
          "field device {0}: write of {1} {2} refused with exception {3}",
          device,
          point.table().wire(),
          point.address(),
          e.getExceptionCode());
      return false;
    } catch (ModbusExecutionException | ModbusTimeoutException e) {
      throw new LinkDown("write failed: " + e.getMessage(), e);
    }
  }

  @Override
  protected void release() {
    disconnect();
  }
}
