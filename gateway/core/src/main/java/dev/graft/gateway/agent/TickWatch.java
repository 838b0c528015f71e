package dev.graft.gateway.agent;

import dev.graft.gateway.runtime.TickResult;
import dev.graft.gateway.scan.TickListener;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The agent's eyes on the scan thread: which slot the old module ran last and the new one first (a
 * gap would be a missed tick at the swap), and, while a module is watched, its ticks and faults.
 * Runs inside the tick cycle: it only writes fields, and builds a string only for the first fault
 * of a watch.
 */
final class TickWatch implements TickListener {
  private volatile long lastSlot = -1;
  private volatile @Nullable String lastModule;
  private volatile @Nullable String lastVersion;
  private volatile long lastSlotBeforeChange = -1;
  private volatile long firstSlotAfterChange = -1;

  private volatile @Nullable String watchedModule;
  private volatile @Nullable String watchedVersion;
  private volatile long watchTicks;
  private volatile long watchFaults;
  private volatile @Nullable String firstFault;

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // one writer: the scan thread
  public void onTick(
      long slot,
      long scheduledNanos,
      long startedNanos,
      long durationNanos,
      String module,
      String version,
      TickResult result) {
    String previousModule = lastModule;
    String previousVersion = lastVersion;
    if (previousVersion != null
        && (!previousVersion.equals(version) || !module.equals(previousModule))) {
      lastSlotBeforeChange = lastSlot;
      firstSlotAfterChange = slot;
    }
    lastModule = module;
    lastVersion = version;
    lastSlot = slot;
    if (module.equals(watchedModule) && version.equals(watchedVersion)) {
      long tick = ++watchTicks; // one writer: the scan thread
      if (result instanceof TickResult.Fault fault) {
        watchFaults++;
        if (firstFault == null) {
          firstFault =
              fault.kind().toString().toLowerCase(Locale.ROOT).replace('_', ' ')
                  + " '"
                  + fault.detail()
                  + "' at watch tick "
                  + tick;
        }
      }
    }
  }

  /** Forgets the last change of module, before a swap. */
  void expectChange() {
    lastSlotBeforeChange = -1;
    firstSlotAfterChange = -1;
  }

  long lastSlotBeforeChange() {
    return lastSlotBeforeChange;
  }

  long firstSlotAfterChange() {
    return firstSlotAfterChange;
  }

  /** Waits, bounded, until a tick of another module than before has been seen. */
  void awaitChange(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (firstSlotAfterChange < 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  /** Starts counting the ticks and faults of {@code module} {@code version} from zero. */
  void watch(String module, String version) {
    watchedModule = null;
    watchTicks = 0;
    watchFaults = 0;
    firstFault = null;
    watchedVersion = version;
    watchedModule = module;
  }

  void stopWatching() {
    watchedModule = null;
    watchedVersion = null;
  }

  long watchTicks() {
    return watchTicks;
  }

  long watchFaults() {
    return watchFaults;
  }

  @Nullable String firstFault() {
    return firstFault;
  }
}
