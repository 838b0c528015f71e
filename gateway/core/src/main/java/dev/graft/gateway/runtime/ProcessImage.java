package dev.graft.gateway.runtime;

import java.util.Arrays;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One tick's view of the field: every point's value and quality (index = the manifest's {@code
 * points} order), and the outputs the tick set.
 */
public final class ProcessImage {
  /** Quality codes as {@code point_quality} returns them. */
  public static final int GOOD = 0;

  public static final int STALE = 1;
  public static final int BAD = 2;

  private final double[] values;
  private final int[] qualities;
  private final SortedMap<Integer, Double> outputs;

  private ProcessImage(double[] values, int[] qualities, SortedMap<Integer, Double> outputs) {
    if (values.length != qualities.length) {
      throw new IllegalArgumentException(
          values.length + " values but " + qualities.length + " qualities");
    }
    for (int i = 0; i < qualities.length; i++) {
      if (qualities[i] < GOOD || qualities[i] > BAD) {
        throw new IllegalArgumentException(
            "quality of point " + i + " is " + qualities[i] + "; expected 0, 1 or 2");
      }
    }
    this.values = values.clone();
    this.qualities = qualities.clone();
    this.outputs = Collections.unmodifiableSortedMap(new TreeMap<>(outputs));
  }

  /** A snapshot with the given values and qualities and no outputs set yet. */
  public static ProcessImage of(double[] values, int[] qualities) {
    return new ProcessImage(values, qualities, new TreeMap<>());
  }

  /** A snapshot of {@code values}, all of good quality. */
  public static ProcessImage good(double... values) {
    return of(values, new int[values.length]);
  }

  /** This snapshot with the outputs a tick set. */
  public ProcessImage withOutputs(SortedMap<Integer, Double> tickOutputs) {
    return new ProcessImage(values, qualities, tickOutputs);
  }

  public int size() {
    return values.length;
  }

  public double value(int index) {
    return values[index];
  }

  public int quality(int index) {
    return qualities[index];
  }

  /** The outputs set during the tick, by point index; empty for an input snapshot. */
  public SortedMap<Integer, Double> outputs() {
    return outputs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProcessImage other
        && Arrays.equals(values, other.values)
        && Arrays.equals(qualities, other.qualities)
        && outputs.equals(other.outputs);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(values) + Arrays.hashCode(qualities)) + outputs.hashCode();
  }

  @Override
  public String toString() {
    return "ProcessImage" + Arrays.toString(values) + " q" + Arrays.toString(qualities) + outputs;
  }
}
