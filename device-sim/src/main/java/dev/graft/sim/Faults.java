package dev.graft.sim;

import dev.graft.sim.plant.Plant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The fault switches of a simulated site. Each switch takes effect on the next request; the servers
 * consult them and hear about changes that need action (closing connections, catching observers
 * up).
 */
public final class Faults {
  /** Longer delays only make tests hang; a device that slow is offline. */
  public static final Duration MAX_DELAY = Duration.ofSeconds(30);

  private final Plant plant;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> rebootListeners = new CopyOnWriteArrayList<>();

  private volatile boolean modbusOffline;
  private volatile boolean coapOffline;
  private volatile Duration responseDelay = Duration.ZERO;
  private volatile @Nullable ModbusExceptionFault modbusException;
  private volatile boolean corruptFlow;
  private volatile boolean corruptTemperature;

  public Faults(Plant plant) {
    this.plant = plant;
  }

  /** The Modbus device drops its connections and refuses new ones while offline. */
  public void setModbusOffline(boolean offline) {
    modbusOffline = offline;
    changed();
  }

  /** The CoAP device ignores every datagram (no reply, no notification) while offline. */
  public void setCoapOffline(boolean offline) {
    coapOffline = offline;
    changed();
  }

  /** Both devices answer every request only after this delay (zero = at once). */
  public void setResponseDelay(Duration delay) {
    if (delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
      throw new IllegalArgumentException(
          "response delay " + delay + " must be between 0 and " + MAX_DELAY);
    }
    responseDelay = delay;
    changed();
  }

  /** Answers requests touching a range with a Modbus exception; {@code null} clears it. */
  public void setModbusException(@Nullable ModbusExceptionFault fault) {
    modbusException = fault;
    changed();
  }

  /** The flow meter reads NaN, as a meter with a failed sensor element does. */
  public void setCorruptFlow(boolean corrupt) {
    corruptFlow = corrupt;
    changed();
  }

  /** The temperature reads 0x7FFF (3276.7 °C), the sensor-break value of many PLCs. */
  public void setCorruptTemperature(boolean corrupt) {
    corruptTemperature = corrupt;
    changed();
  }

  /**
   * Restarts the boiler PLC: its TCP connections drop, coils go off and holding registers go back
   * to their power-on values, as after a real PLC's power cycle.
   */
  public void rebootPlc() {
    plant.reboot();
    for (Runnable listener : rebootListeners) {
      listener.run();
    }
  }

  /** Runs {@code listener} after every PLC reboot. */
  public void onReboot(Runnable listener) {
    rebootListeners.add(listener);
  }

  /** Clears every switch. */
  public void clear() {
    modbusOffline = false;
    coapOffline = false;
    responseDelay = Duration.ZERO;
    modbusException = null;
    corruptFlow = false;
    corruptTemperature = false;
    changed();
  }

  public boolean modbusOffline() {
    return modbusOffline;
  }

  public boolean coapOffline() {
    return coapOffline;
  }

  public Duration responseDelay() {
    return responseDelay;
  }

  public @Nullable ModbusExceptionFault modbusException() {
    return modbusException;
  }

  public boolean corruptFlow() {
    return corruptFlow;
  }

  public boolean corruptTemperature() {
    return corruptTemperature;
  }

  /** The active faults in a few words, "none" if there are none; for status lines. */
  public String summary() {
    List<String> active = new ArrayList<>();
    if (modbusOffline) {
      active.add("modbus offline");
    }
    if (coapOffline) {
      active.add("coap offline");
    }
    if (!responseDelay.isZero()) {
      active.add("delay " + responseDelay.toMillis() + " ms");
    }
    ModbusExceptionFault fault = modbusException;
    if (fault != null) {
      active.add(
          "exception "
              + fault.exceptionCode()
              + " on "
              + fault.table().name().toLowerCase(Locale.ROOT)
              + " "
              + fault.address()
              + "+"
              + fault.count());
    }
    if (corruptFlow) {
      active.add("flow NaN");
    }
    if (corruptTemperature) {
      active.add("temperature sensor break");
    }
    return active.isEmpty() ? "none" : String.join(", ", active);
  }

  /** Runs {@code listener} after every change of a switch. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  private void changed() {
    for (Runnable listener : listeners) {
      listener.run();
    }
  }

  /** Sleeps for the response delay; a server thread calls this before answering. */
  public void awaitResponseDelay() throws InterruptedException {
    Duration delay = responseDelay;
    if (!delay.isZero()) {
      Thread.sleep(delay);
    }
  }
}
