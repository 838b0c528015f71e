package dev.graft.sim.plant;

/**
 * Where the boiler PLC keeps its points (0-based PDU addresses), as the shared plant contract fixes
 * them; the gateway side and the end-to-end test address the device by these numbers.
 */
public final class RegisterMap {
  /** Input register: boiler water temperature, int16, 0.1 °C per count. */
  public static final int TEMPERATURE_INPUT_REGISTER = 0;

  /** Input registers 2..3: flow meter, float32 l/min, high word first unless configured. */
  public static final int FLOW_INPUT_REGISTER = 2;

  /** Discrete input: the operator's update-permit key switch. */
  public static final int UPDATE_PERMIT_DISCRETE_INPUT = 0;

  /** Coil: burner on/off, the control module's output. */
  public static final int BURNER_COIL = 3;

  /** Holding register: communication-watchdog timeout in seconds (0 = off). */
  public static final int WATCHDOG_HOLDING_REGISTER = 10;

  /** Every table (coils, discrete inputs, input and holding registers) has this many entries. */
  public static final int TABLE_SIZE = 32;

  /** Raw temperature a broken sensor reports (0x7FFF = 3276.7 °C), as many PLCs do. */
  public static final short SENSOR_BREAK = Short.MAX_VALUE;

  private RegisterMap() {}
}
