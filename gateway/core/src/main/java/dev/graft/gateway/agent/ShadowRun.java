package dev.graft.gateway.agent;

import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.runtime.PreflightReport;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.policies.Manifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * PREFLIGHT's inputs and its report on them: snapshots of live inputs taken from the candidate's
 * own port, and how the candidate's shadow outputs compare with what the live module wrote.
 */
final class ShadowRun {
  private ShadowRun() {}

  /**
   * No shadow run was possible now (inputs not good, the agent stopping); nothing is wrong with the
   * release.
   */
  static final class NoShadowRun extends Exception {
    private static final long serialVersionUID = 1L;

    NoShadowRun(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * {@code count} snapshots of the candidate's port with every input good, one per tick period of
   * the candidate. Each also holds the outputs as the live module last wrote them.
   *
   * @throws NoShadowRun when the inputs are not all good for {@code within}, or {@code stopping}
   */
  static List<ProcessImage> liveSnapshots(
      FieldPort port, Manifest manifest, int count, Duration within, BooleanSupplier stopping)
      throws NoShadowRun {
    long deadline = System.nanoTime() + within.toNanos();
    List<ProcessImage> snapshots = new ArrayList<>();
    while (snapshots.size() < count) {
      ProcessImage snapshot = port.snapshot();
      if (allGood(snapshot, manifest)) {
        snapshots.add(snapshot);
      } else if (System.nanoTime() > deadline) {
        throw new NoShadowRun(
            "the field inputs were not all good for "
                + within.toSeconds()
                + " s, so no shadow run was possible: "
                + snapshot);
      }
      try {
        Thread.sleep(manifest.tickMs());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NoShadowRun("the agent is stopping");
      }
      if (stopping.getAsBoolean()) {
        throw new NoShadowRun("the agent is stopping");
      }
    }
    return snapshots;
  }

  /** Whether every input point is good (outputs not written yet carry no quality that matters). */
  static boolean allGood(ProcessImage image, Manifest manifest) {
    for (int i = 0; i < image.size(); i++) {
      if (manifest.points().get(i).dir() != Manifest.Direction.OUT
          && image.quality(i) != ProcessImage.GOOD) {
        return false;
      }
    }
    return true;
  }

  /**
   * For each output point, in how many shadow ticks the candidate's value differed from the value
   * the live module had written at the same snapshot (the snapshot carries each output's last
   * written value): {@code burner: differs from the live module in 3 of 20 compared shadow ticks}.
   */
  static List<String> compareWithLive(
      Manifest manifest, PreflightReport report, List<ProcessImage> inputs) {
    List<String> lines = new ArrayList<>();
    List<Manifest.Point> points = manifest.points();
    for (int p = 0; p < points.size(); p++) {
      if (points.get(p).dir() != Manifest.Direction.OUT) {
        continue;
      }
      int compared = 0;
      int differed = 0;
      for (int t = 0; t < report.shadowTicks().size() && t < inputs.size(); t++) {
        if (!(report.shadowTicks().get(t) instanceof TickResult.Ok ok)) {
          continue;
        }
        Double shadow = ok.outputs().get(p);
        ProcessImage live = inputs.get(t);
        if (shadow == null || live.quality(p) != ProcessImage.GOOD) {
          continue;
        }
        compared++;
        if (Math.abs(shadow - live.value(p)) > 1e-9) {
          differed++;
        }
      }
      lines.add(
          points.get(p).name()
              + ": differs from the live module in "
              + differed
              + " of "
              + compared
              + " compared shadow ticks");
    }
    return lines;
  }
}
