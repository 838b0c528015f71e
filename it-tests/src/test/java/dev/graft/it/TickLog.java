package dev.graft.it;

import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.gateway.scan.TickListener;
import dev.graft.sim.plant.Plant;
import dev.graft.sim.plant.PlantReading;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Records every tick a scan loop ran, with the inputs the module saw, the outputs it set, its
 * {@code duty} metric and the plant's state at that moment, so the tests assert on what happened
 * rather than on timing.
 *
 * <p>The inputs come from {@link #tap}: a port wrapper that remembers, per thread, the last
 * snapshot it handed out. The scan loop takes the snapshot and tells this listener about the tick
 * on its own thread, so the snapshot read back is exactly the one that tick ran on.
 */
final class TickLog implements TickListener {

  /**
   * One tick.
   *
   * @param startedNanos when the tick started, on the scan loop's clock (for failure reports only)
   * @param durationNanos how long it took, on the same clock (for failure reports only)
   * @param fault why the tick's outputs were discarded, or null if it ran to completion
   * @param inputs the process image the tick ran on
   * @param burner the burner output the tick set, or null if it set none or faulted
   * @param duty the module's {@code duty} metric after the tick, or null if it reports none
   * @param plant the plant right after the tick
   */
  record Tick(
      long slot,
      long startedNanos,
      long durationNanos,
      String module,
      String version,
      TickResult.@Nullable Fault fault,
      @Nullable ProcessImage inputs,
      @Nullable Double burner,
      @Nullable Double duty,
      PlantReading plant) {

    boolean ok() {
      return fault == null;
    }

    /** The temperature input as the gateway read it from the PLC, °C. */
    double temperature() {
      return inputs == null ? Double.NaN : inputs.value(TEMP);
    }

    double setpoint() {
      return inputs == null ? Double.NaN : inputs.value(SETPOINT);
    }

    boolean inputsGood() {
      return inputs != null
          && inputs.quality(TEMP) == ProcessImage.GOOD
          && inputs.quality(SETPOINT) == ProcessImage.GOOD;
    }
  }

  /** Point indexes shared by the boiler-control and thermostat manifests. */
  static final int TEMP = 0;

  static final int SETPOINT = 1;
  static final int BURNER = 2;

  private final Plant plant;
  private final Map<String, ControlLogic> modules = new ConcurrentHashMap<>();
  private final ThreadLocal<@Nullable ProcessImage> lastSnapshot = new ThreadLocal<>();
  private final List<Tick> ticks = new ArrayList<>();

  TickLog(Plant plant) {
    this.plant = plant;
  }

  /** Makes {@code logic}'s metrics part of the record of the ticks it runs. */
  ControlLogic watch(ControlLogic logic) {
    modules.put(key(logic.manifest().name(), logic.manifest().version()), logic);
    return logic;
  }

  /** {@code port}, remembering the snapshots it hands to the scan loop. */
  FieldPort tap(FieldPort port) {
    return new FieldPort() {
      @Override
      public ProcessImage snapshot() {
        ProcessImage snapshot = port.snapshot();
        lastSnapshot.set(snapshot);
        return snapshot;
      }

      @Override
      public void write(SortedMap<Integer, Double> outputs) {
        port.write(outputs);
      }

      @Override
      public void applyFaultPolicy(String reason) {
        port.applyFaultPolicy(reason);
      }

      @Override
      public boolean updatePermitted() {
        return port.updatePermitted();
      }

      @Override
      public void close() {
        port.close();
      }

      @Override
      public List<String> stop(String reason) {
        return port.stop(reason);
      }

      @Override
      public List<String> stopSafe(String reason) {
        return port.stopSafe(reason);
      }

      @Override
      public String toString() {
        return "tapped " + port;
      }
    };
  }

  @Override
  public void onTick(
      long slot,
      long scheduledNanos,
      long startedNanos,
      long durationNanos,
      String module,
      String version,
      TickResult result) {
    ProcessImage inputs = lastSnapshot.get();
    lastSnapshot.remove();
    Double burner = null;
    TickResult.Fault fault = null;
    switch (result) {
      case TickResult.Ok done -> burner = done.outputs().get(BURNER);
      case TickResult.Fault faulted -> fault = faulted;
    }
    ControlLogic logic = modules.get(key(module, version));
    Double duty = logic == null ? null : logic.metrics().get("duty");
    Tick tick =
        new Tick(
            slot,
            startedNanos,
            durationNanos,
            module,
            version,
            fault,
            inputs,
            burner,
            duty,
            plant.reading());
    synchronized (ticks) {
      ticks.add(tick);
    }
  }

  List<Tick> ticks() {
    synchronized (ticks) {
      return List.copyOf(ticks);
    }
  }

  List<Tick> ticks(Predicate<Tick> filter) {
    return ticks().stream().filter(filter).toList();
  }

  int size() {
    synchronized (ticks) {
      return ticks.size();
    }
  }

  void clear() {
    synchronized (ticks) {
      ticks.clear();
    }
  }

  private static String key(String module, String version) {
    return module + " " + version;
  }
}
