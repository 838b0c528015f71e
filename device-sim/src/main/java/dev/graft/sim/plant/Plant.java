package dev.graft.sim.plant;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleConsumer;

/**
 * The boiler and its PLC on a simulated clock. Time only moves when {@link #advance} is called:
 * tests call it directly, the running site calls it from a scheduler. The model integrates in fixed
 * 0.1 s steps and draws its noise from one seeded generator, so the same seed and the same sequence
 * of inputs give the same readings however the advances are chunked.
 *
 * <p>Thread-safe: the Modbus server, the CoAP server and the clock all call in; every method holds
 * the plant's lock, which is never held while calling out except to setpoint listeners.
 */
public final class Plant {
  static final double STEP_SECONDS = 0.1;
  private static final long STEP_NANOS = 100_000_000L;

  private final PlantParameters parameters;
  private final SplittableRandom random;
  private final List<DoubleConsumer> setpointListeners = new CopyOnWriteArrayList<>();

  private final boolean[] coils = new boolean[RegisterMap.TABLE_SIZE];
  private final boolean[] discreteInputs = new boolean[RegisterMap.TABLE_SIZE];
  private final int[] holdingRegisters = new int[RegisterMap.TABLE_SIZE];

  private long simulatedNanos;
  private long pendingNanos;
  private long lastWriteNanos;
  private double temperatureC;
  private double measuredTemperatureC;
  private double flowLpm;
  private double setpointC;
  private int watchdogTrips;

  public Plant(PlantParameters parameters, long seed) {
    this.parameters = parameters;
    this.random = new SplittableRandom(seed);
    this.temperatureC = parameters.startC();
    this.setpointC = parameters.setpointC();
    discreteInputs[RegisterMap.UPDATE_PERMIT_DISCRETE_INPUT] = parameters.updatePermit();
    powerOn();
    sample();
  }

  /** Moves simulated time forward; the model runs every whole 0.1 s step that has accumulated. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("simulated time cannot go backwards: " + duration);
    }
    synchronized (this) {
      pendingNanos += duration.toNanos();
      while (pendingNanos >= STEP_NANOS) {
        pendingNanos -= STEP_NANOS;
        step();
      }
    }
  }

  private void step() {
    boolean burner = coils[RegisterMap.BURNER_COIL];
    double heating = burner ? parameters.heatingCPerS() : 0.0;
    double loss = parameters.lossPerS() * (temperatureC - parameters.ambientC());
    temperatureC += STEP_SECONDS * (heating - loss);
    simulatedNanos += STEP_NANOS;
    sample();
    checkWatchdog();
  }

  private void sample() {
    measuredTemperatureC = temperatureC + parameters.noiseC() * random.nextGaussian();
    flowLpm =
        Math.max(0.0, parameters.flowLpm() + parameters.flowNoiseLpm() * random.nextGaussian());
  }

  // A real PLC's watchdog counts its own time; here that is the simulated clock, so tests that
  // drive the plant directly see it trip deterministically.
  private void checkWatchdog() {
    int timeoutSeconds = holdingRegisters[RegisterMap.WATCHDOG_HOLDING_REGISTER];
    if (timeoutSeconds == 0 || !coils[RegisterMap.BURNER_COIL]) {
      return;
    }
    if (simulatedNanos - lastWriteNanos >= timeoutSeconds * 1_000_000_000L) {
      coils[RegisterMap.BURNER_COIL] = false;
      watchdogTrips++;
    }
  }

  private void powerOn() {
    Arrays.fill(coils, false);
    Arrays.fill(holdingRegisters, 0);
    holdingRegisters[RegisterMap.WATCHDOG_HOLDING_REGISTER] = parameters.watchdogSeconds();
    lastWriteNanos = simulatedNanos;
  }

  /** A PLC restart: outputs and holding registers fall back to their power-on values. */
  public synchronized void reboot() {
    powerOn();
  }

  public synchronized PlantReading reading() {
    return new PlantReading(
        Duration.ofNanos(simulatedNanos),
        temperatureC,
        measuredTemperatureC,
        coils[RegisterMap.BURNER_COIL],
        setpointC,
        discreteInputs[RegisterMap.UPDATE_PERMIT_DISCRETE_INPUT],
        flowLpm,
        holdingRegisters[RegisterMap.WATCHDOG_HOLDING_REGISTER],
        watchdogTrips);
  }

  public synchronized double temperatureC() {
    return temperatureC;
  }

  public synchronized double measuredTemperatureC() {
    return measuredTemperatureC;
  }

  public synchronized double flowLpm() {
    return flowLpm;
  }

  public synchronized boolean burner() {
    return coils[RegisterMap.BURNER_COIL];
  }

  public synchronized Duration simulatedTime() {
    return Duration.ofNanos(simulatedNanos);
  }

  public PlantParameters parameters() {
    return parameters;
  }

  // ---- the thermostat ----

  public synchronized double setpointC() {
    return setpointC;
  }

  /**
   * Sets the thermostat's setpoint; listeners (Observe) hear about it only if it changed.
   *
   * @throws IllegalArgumentException if the value is not a finite temperature in range
   */
  public void setSetpointC(double celsius) {
    if (!Setpoints.inRange(celsius)) {
      throw new IllegalArgumentException(Setpoints.rangeProblem(celsius));
    }
    synchronized (this) {
      if (Double.compare(setpointC, celsius) == 0) {
        return;
      }
      setpointC = celsius;
    }
    for (DoubleConsumer listener : setpointListeners) {
      listener.accept(celsius);
    }
  }

  public void onSetpointChange(DoubleConsumer listener) {
    setpointListeners.add(listener);
  }

  // ---- the operator's switches ----

  public synchronized void setUpdatePermit(boolean on) {
    discreteInputs[RegisterMap.UPDATE_PERMIT_DISCRETE_INPUT] = on;
  }

  // ---- PLC memory, as the Modbus server sees it ----

  public synchronized boolean[] coils(int address, int count) {
    return Arrays.copyOfRange(coils, address, address + count);
  }

  public synchronized boolean[] discreteInputs(int address, int count) {
    return Arrays.copyOfRange(discreteInputs, address, address + count);
  }

  public synchronized int[] holdingRegisters(int address, int count) {
    return Arrays.copyOfRange(holdingRegisters, address, address + count);
  }

  /** A Modbus write of coils; any write feeds the communication watchdog. */
  public synchronized void writeCoils(int address, boolean[] values) {
    System.arraycopy(values, 0, coils, address, values.length);
    lastWriteNanos = simulatedNanos;
  }

  /** A Modbus write of holding registers (16-bit values); any write feeds the watchdog. */
  public synchronized void writeHoldingRegisters(int address, int[] values) {
    for (int i = 0; i < values.length; i++) {
      holdingRegisters[address + i] = values[i] & 0xFFFF;
    }
    lastWriteNanos = simulatedNanos;
  }
}
