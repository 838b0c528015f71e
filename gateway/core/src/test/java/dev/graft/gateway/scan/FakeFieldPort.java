package dev.graft.gateway.scan;

import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.runtime.ProcessImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory field: inputs the test sets, outputs and fault-policy calls it records in order, and
 * a permit switch.
 */
final class FakeFieldPort implements FieldPort {
  private final double[] values;
  private final int[] qualities;
  private final List<String> events = new ArrayList<>();
  private final List<SortedMap<Integer, Double>> writes = new ArrayList<>();
  private boolean permitted = true;
  private boolean closed;
  private int snapshots;
  private int slowSnapshot = -1;
  private long slowMillis;
  private int trapSnapshot = -1;
  private double trapValue;

  private final @Nullable VirtualClock clock;

  FakeFieldPort(int points) {
    this(points, null);
  }

  /** A port whose slow snapshot takes {@code clock}'s time rather than real time. */
  FakeFieldPort(int points, @Nullable VirtualClock clock) {
    values = new double[points];
    qualities = new int[points];
    this.clock = clock;
  }

  private int failingWrite = -1;
  private int writeCount;
  private int scanSnapshots;
  private int firstSeeing = -1;

  synchronized void set(int index, double value, int quality) {
    values[index] = value;
    qualities[index] = quality;
    // the scan thread's next snapshot is the first to show it
    firstSeeing = scanSnapshots;
  }

  /**
   * How many snapshots the scan thread had taken when {@link #set} was last called: with slots
   * contiguous from 0, the first slot whose tick saw the new value.
   */
  synchronized int firstScanSnapshotSeeingLastSet() {
    return firstSeeing;
  }

  synchronized void permit(boolean on) {
    permitted = on;
  }

  /** The {@code n}-th snapshot (0-based, counted from now on) takes {@code millis} to return. */
  synchronized void slowDown(int n, long millis) {
    slowSnapshot = snapshots + n;
    slowMillis = millis;
  }

  /** The {@code n}-th snapshot from now shows {@code value} at point 0, once. */
  synchronized void blip(int n, double value) {
    trapSnapshot = snapshots + n;
    trapValue = value;
  }

  @Override
  public ProcessImage snapshot() {
    long sleep = 0;
    ProcessImage image;
    synchronized (this) {
      events.add("snapshot");
      double[] v = values.clone();
      if (snapshots == trapSnapshot) {
        v[0] = trapValue;
      }
      if (snapshots == slowSnapshot) {
        sleep = slowMillis;
      }
      snapshots++;
      if (Thread.currentThread().getName().equals("graft-scan")) {
        scanSnapshots++;
      }
      image = ProcessImage.of(v, qualities.clone());
    }
    if (sleep > 0 && clock != null) {
      clock.advance(sleep);
    } else if (sleep > 0) {
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return image;
  }

  /** The {@code n}-th write from now throws, as a broken device writer might. */
  synchronized void failWrite(int n) {
    failingWrite = writeCount + n;
  }

  @Override
  public synchronized void write(SortedMap<Integer, Double> outputs) {
    if (writeCount++ == failingWrite) {
      throw new IllegalStateException("writer broke");
    }
    events.add("write");
    writes.add(outputs);
  }

  @Override
  public synchronized void applyFaultPolicy(String reason) {
    events.add("fault: " + reason);
  }

  @Override
  public synchronized boolean updatePermitted() {
    return permitted;
  }

  @Override
  public synchronized void close() {
    events.add("close");
    closed = true;
  }

  @Override
  public synchronized List<String> stopSafe(String reason) {
    events.add("safe: " + reason);
    close();
    return List.of();
  }

  private List<String> orphans = List.of();

  /** What {@link #orphanedBy} answers: the outputs a swap away from this port would leave. */
  synchronized void orphans(List<String> outputs) {
    orphans = List.copyOf(outputs);
  }

  @Override
  public synchronized List<String> orphanedBy(FieldPort next) {
    events.add("orphanedBy");
    return orphans;
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  synchronized List<String> faultPolicies() {
    return events.stream().filter(e -> e.startsWith("fault: ")).toList();
  }

  synchronized boolean closed() {
    return closed;
  }
}
