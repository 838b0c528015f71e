package dev.graft.signer;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar with throughput for long operations, redrawn in place on the terminal's
 * error stream so that standard output stays clean for {@code --json}. It draws nothing when the
 * terminal is not interactive (pipes, scripts, CI logs), and at most ten times a second.
 */
public final class ProgressBar {
  private static final int WIDTH = 24;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean enabled;
  private final String label;
  private long lastDraw = Long.MIN_VALUE;
  private int lastLength;

  public ProgressBar(Terminal terminal, String label) {
    this.err = terminal.err();
    this.enabled = terminal.interactive();
    this.label = label;
  }

  /**
   * Shows {@code done} of {@code total} bytes at {@code bytesPerSecond}, with a short detail
   * ("12/40 chunks"). Redraws are throttled; the last one ({@code done == total}) is always drawn.
   */
  public void update(long done, long total, double bytesPerSecond, String detail) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (done < total && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    String line = render(label, done, total, bytesPerSecond, detail);
    // Pad over a longer previous line; \r returns to the start without scrolling.
    String padded = line + " ".repeat(Math.max(0, lastLength - line.length()));
    lastLength = line.length();
    err.print("\r" + padded);
    err.flush();
  }

  /** Ends the line, so that what is printed next starts on a fresh one. */
  public void finish() {
    if (enabled && lastDraw != Long.MIN_VALUE) {
      err.println();
      err.flush();
      lastDraw = Long.MIN_VALUE;
      lastLength = 0;
    }
  }

  /** {@code publishing [##########--------------] 42% 1.2 MiB of 2.9 MiB 3.4 MiB/s 12/40}. */
  static String render(String label, long done, long total, double bytesPerSecond, String detail) {
    double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    return String.format(
        Locale.ROOT,
        "%s [%s%s] %3d%%  %s of %s  %s/s  %s",
        label,
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        Math.round(fraction * 100),
        bytes(done),
        bytes(total),
        bytes((long) bytesPerSecond),
        detail);
  }

  /** {@code 532 B}, {@code 12.4 KiB}, {@code 3.1 MiB}, {@code 1.0 GiB}. */
  public static String bytes(long count) {
    if (count < 1024) {
      return count + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = count;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
