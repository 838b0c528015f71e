package dev.graft.it;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * boiler-control's state blob (see {@code examples/boiler-control/boiler-control.c}): magic "BOIR",
 * version, then the PID's integrator and last error as little-endian doubles, and from version 2
 * the time of its last tick. Also the PID's arithmetic, so a test can say which duty cycle a tick
 * must have produced from a given state.
 */
record BoilerState(int version, double integrator, double lastError) {
  private static final int MAGIC = 0x52494F42;
  static final double INTEGRATOR_LIMIT = 250.0;

  /** The gains of the two tunings, as compiled into 1.0 and 1.1. */
  record Tuning(double kp, double ki, double kd) {
    static final Tuning V1_0 = new Tuning(0.08, 0.002, 0.0);
    static final Tuning V1_1 = new Tuning(0.12, 0.004, 0.2);

    /**
     * The duty cycle of the first tick after {@code graft_init} or after a version-1 state was
     * loaded: no previous tick time, so the PID integrates over its default 0.1 s and takes no
     * derivative.
     */
    double firstDuty(double integrator, double temperature, double setpoint) {
      double error = setpoint - temperature;
      double integrated = clamp(integrator + error * 0.1, -INTEGRATOR_LIMIT, INTEGRATOR_LIMIT);
      return clamp(kp * error + ki * integrated + kd * 0.0, 0.0, 1.0);
    }

    /** The duty cycle of a tick that left the PID with {@code integrator} and {@code error}. */
    double duty(double integrator, double error, double derivative) {
      return clamp(kp * error + ki * integrator + kd * derivative, 0.0, 1.0);
    }
  }

  static BoilerState decode(byte[] blob) {
    ByteBuffer in = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    if (blob.length < 24 || in.getInt(0) != MAGIC) {
      throw new IllegalArgumentException("not a boiler-control state: " + blob.length + " bytes");
    }
    return new BoilerState(in.getInt(4), in.getDouble(8), in.getDouble(16));
  }

  private static double clamp(double v, double lo, double hi) {
    return v < lo ? lo : (v > hi ? hi : v);
  }
}
