package dev.graft.gateway.field;

import dev.graft.gateway.runtime.ProcessImage;
import java.util.List;
import java.util.SortedMap;

/**
 * The scan loop's view of the field for one module's manifest: points are indexed in the manifest's
 * {@code points} order, values are in the module's units (scale and offset applied).
 *
 * <p>Every method returns at once: field I/O runs on the links' own threads and never inside a
 * tick.
 */
public interface FieldPort extends AutoCloseable {

  /**
   * The latest value and quality of every point: an input's last polled value (stale or bad when
   * its device has not answered in time), an output's last value handed to {@link #write}.
   */
  ProcessImage snapshot();

  /** Hands one tick's outputs (point index to value) to the device writers. */
  void write(SortedMap<Integer, Double> outputs);

  /**
   * Puts every output of this port to its grant fault policy: {@code hold} keeps the last value,
   * {@code safe} writes the grant's safe value. Used after a trapped or overrun tick.
   */
  void applyFaultPolicy(String reason);

  /**
   * Whether the grant's {@code update_permit} input is on (good quality and value 1); {@code true}
   * when the grant names no permit.
   */
  boolean updatePermitted();

  /**
   * Stops driving this port's outputs and polling its inputs, returning at once. Does not apply a
   * fault policy to outputs another port drives: a port closed after a swap hands its outputs to
   * the next port. An output no other port drives (one the next module no longer declares) goes to
   * its grant safe value, written in the background before it is released.
   */
  @Override
  void close();

  /**
   * The outputs this port drives that {@code next} does not declare and no other port drives: those
   * closing this port after a swap to {@code next} puts to their safe value, as {@code device
   * target} (e.g. {@code plc coil 4}). For the swap report; empty by default.
   */
  default List<String> orphanedBy(FieldPort next) {
    return List.of();
  }

  /**
   * Stops this port for good, as at shutdown: applies the fault policy ({@code hold} or {@code
   * safe}) to every output, writes each value once more and waits, bounded, until the device
   * acknowledged it, then closes. Returns the outputs (device and target) whose value was not
   * acknowledged in time (link down, device refused it); empty when all were.
   */
  default List<String> stop(String reason) {
    applyFaultPolicy(reason);
    close();
    return List.of();
  }

  /**
   * Stops this port for good with every output it drives at its grant safe value, whatever the
   * output's fault policy; otherwise like {@link #stop}.
   */
  List<String> stopSafe(String reason);
}
