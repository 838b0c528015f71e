package dev.graft.sim.plant;

/**
 * The constants of the boiler model and the PLC's power-on values.
 *
 * @param ambientC temperature the water cools towards, °C
 * @param startC water temperature at simulated time zero, °C
 * @param heatingCPerS temperature rise per second while the burner is on, °C/s
 * @param lossPerS heat-loss coefficient k in dT/dt = −k·(T − ambient), 1/s
 * @param noiseC standard deviation of the noise on the measured temperature, °C
 * @param flowLpm mean reading of the flow meter, l/min
 * @param flowNoiseLpm standard deviation of the flow meter's noise, l/min
 * @param setpointC the thermostat's setpoint at start, °C
 * @param updatePermit position of the operator's update-permit key switch at start
 * @param watchdogSeconds the PLC's communication-watchdog timeout at power-on (0 = off)
 */
public record PlantParameters(
    double ambientC,
    double startC,
    double heatingCPerS,
    double lossPerS,
    double noiseC,
    double flowLpm,
    double flowNoiseLpm,
    double setpointC,
    boolean updatePermit,
    int watchdogSeconds) {

  /** The default site of the shared plant contract. */
  public static final PlantParameters DEFAULT =
      new PlantParameters(15.0, 20.0, 0.5, 0.004, 0.05, 12.0, 0.1, 60.0, true, 5);

  public PlantParameters {
    requireFinite("ambient_c", ambientC);
    requireFinite("start_c", startC);
    requireFinite("heating_c_per_s", heatingCPerS);
    requireFinite("loss_per_s", lossPerS);
    requireFinite("noise_c", noiseC);
    requireFinite("flow_lpm", flowLpm);
    requireFinite("flow_noise_lpm", flowNoiseLpm);
    requireFinite("setpoint_c", setpointC);
    if (heatingCPerS < 0 || lossPerS < 0 || noiseC < 0 || flowLpm < 0 || flowNoiseLpm < 0) {
      throw new IllegalArgumentException(
          "heating_c_per_s, loss_per_s, noise_c, flow_lpm and flow_noise_lpm must not be negative");
    }
    if (lossPerS * Plant.STEP_SECONDS >= 1) {
      throw new IllegalArgumentException(
          "loss_per_s " + lossPerS + " is too large for the model's 0.1 s step (must be < 10)");
    }
    if (!Setpoints.inRange(setpointC)) {
      throw new IllegalArgumentException(Setpoints.rangeProblem(setpointC));
    }
    if (watchdogSeconds < 0 || watchdogSeconds > 0xFFFF) {
      throw new IllegalArgumentException(
          "modbus.watchdog_s " + watchdogSeconds + " must be between 0 (off) and 65535");
    }
  }

  private static void requireFinite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number, not " + value);
    }
  }
}
