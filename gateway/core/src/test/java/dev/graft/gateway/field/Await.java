package dev.graft.gateway.field;

import java.util.function.BooleanSupplier;

/** Waits for a condition with a generous deadline; tests assert outcomes, never durations. */
final class Await {
  static final long DEADLINE_MS = 15_000;

  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + DEADLINE_MS * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }
}
