package dev.graft.sim.plant;

/** The range a thermostat setpoint may take; anything outside is a typing error, not a wish. */
public final class Setpoints {
  public static final double MIN_C = 0.0;
  public static final double MAX_C = 120.0;

  private Setpoints() {}

  public static boolean inRange(double celsius) {
    return Double.isFinite(celsius) && celsius >= MIN_C && celsius <= MAX_C;
  }

  public static String rangeProblem(double celsius) {
    return "setpoint " + celsius + " °C is outside " + MIN_C + "–" + MAX_C + " °C";
  }
}
