package dev.graft.gateway.scan;

import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.FaultKind;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.runtime.SavedState;
import dev.graft.gateway.runtime.StateLoad;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Runs one control module against the field on a fixed-rate schedule, on one dedicated thread, and
 * switches to a prepared successor between two ticks.
 *
 * <p>Slot {@code n} is due {@code n} tick periods after {@link #start()} on the monotonic clock,
 * whatever happened before it, so the schedule never drifts. Each slot takes the port's latest
 * snapshot, runs the module's tick on it with the slot's due time as {@code now_ms}, and hands the
 * outputs to the port; none of that waits on field I/O. When a tick (or the thread's wake-up) runs
 * so late that a whole period passes, the slots passed are counted as missed and skipped, never run
 * in a burst to catch up. A faulted tick puts the port's outputs to their fault policy; the {@link
 * ControlLogic} replaces its own instance.
 *
 * <p>The module and its port belong to the loop from {@link #start()} until {@link #stop()}, which
 * applies the fault policy and closes both; a module swapped out is handed back to the caller
 * (still open, for a rollback) and its port, if replaced, closed.
 */
public final class ScanLoop implements AutoCloseable {

  /** How long a swap waits for its preconditions when neither the request nor the grant says. */
  public static final Duration DEFAULT_SWAP_TIMEOUT = Duration.ofSeconds(60);

  private enum State {
    NEW,
    RUNNING,
    STOPPING,
    STOPPED
  }

  /** A swap asked for and not yet made, held or refused. */
  private record PendingSwap(
      ControlLogic next,
      FieldPort nextPort,
      SwapRequest request,
      Duration timeout,
      long deadlineNanos,
      CompletableFuture<SwapOutcome> outcome) {}

  private static final System.Logger LOG = System.getLogger(ScanLoop.class.getName());

  private final Grant grant;
  private final MonotonicClock clock;
  private final TickListener listener;
  private final Thread thread;
  private final Object lock = new Object();

  private volatile State state = State.NEW;
  // guarded by lock for writes; read by the scan thread once per tick
  private volatile @Nullable PendingSwap pending;
  private volatile @Nullable String safeStopReason;

  // The running module and its port: owned by the scan thread while it runs, published through
  // volatile for swap()'s checks and stats().
  private volatile ControlLogic logic;
  private volatile FieldPort port;

  // Scan-thread state: slot s is due at baseNanos + (s - baseSlot) * periodNanos.
  private long originNanos;
  private long baseNanos;
  private long baseSlot;
  private long periodNanos;
  private long ticksSinceSave;
  // A swap made after the last tick, announced once the successor has run its first slot.
  private @Nullable PendingSwap madeSwap;
  private @Nullable StateLoad madeSwapState;
  private List<String> madeSwapOutputsToSafe = List.of();

  private final AtomicLong ticks = new AtomicLong();
  private final AtomicLong missedSlots = new AtomicLong();
  private final AtomicLong overruns = new AtomicLong();
  private final AtomicLong faults = new AtomicLong();
  private final AtomicLong saves = new AtomicLong();
  private final AtomicLong swaps = new AtomicLong();
  private final AtomicLong lastSlot = new AtomicLong(-1);
  private final AtomicLong maxLateness = new AtomicLong();
  private final AtomicLong totalLateness = new AtomicLong();
  private final AtomicLong maxDuration = new AtomicLong();
  private final AtomicLong strayInterrupts = new AtomicLong();
  private final AtomicLong totalDuration = new AtomicLong();

  // The priority is only a hint, but the scan thread is the one thread here that should win.
  @SuppressWarnings("ThreadPriorityCheck")
  private ScanLoop(Builder b) {
    this.logic = b.logic;
    this.port = b.port;
    this.grant = b.grant;
    this.clock = b.clock;
    this.listener = b.listener;
    this.periodNanos = TimeUnit.MILLISECONDS.toNanos(b.logic.manifest().tickMs());
    // A platform thread of its own: the scan cycle must not share a carrier with anything else.
    // The priority is a hint the JVM on Linux ignores unless run with ThreadPriorityPolicy=1.
    this.thread =
        Thread.ofPlatform()
            .name(b.threadName)
            .daemon(true)
            .priority(Thread.MAX_PRIORITY)
            .unstarted(this::run);
  }

  /**
   * Starts describing a loop that runs {@code logic} against {@code port} at the manifest's {@code
   * tick_ms}, under {@code grant} (its {@code swap_when}).
   */
  public static Builder builder(ControlLogic logic, FieldPort port, Grant grant) {
    return new Builder(logic, port, grant);
  }

  /** Options for a scan loop. */
  public static final class Builder {
    private final ControlLogic logic;
    private final FieldPort port;
    private final Grant grant;
    private MonotonicClock clock = MonotonicClock.system();
    private TickListener listener = TickListener.NONE;
    private String threadName = "graft-scan";

    private Builder(ControlLogic logic, FieldPort port, Grant grant) {
      this.logic = logic;
      this.port = port;
      this.grant = grant;
    }

    public Builder clock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Told about every tick, on the scan thread. */
    public Builder listener(TickListener listener) {
      this.listener = listener;
      return this;
    }

    public Builder threadName(String name) {
      this.threadName = name;
      return this;
    }

    public ScanLoop build() {
      return new ScanLoop(this);
    }
  }

  /**
   * Puts the outputs to their fault policy, then starts ticking: slot 0 is due as soon as the scan
   * thread runs.
   *
   * @throws IllegalStateException if the loop was started before
   */
  public void start() {
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "scan loop already " + state.name().toLowerCase(Locale.ROOT));
      }
      port.applyFaultPolicy("scan loop starting");
      state = State.RUNNING;
      thread.start();
    }
  }

  /**
   * Stops ticking after the tick in progress, puts the outputs to their fault policy and closes the
   * port and the running module; a pending swap is refused. Returns when all that is done.
   */
  public void stop() {
    boolean join;
    synchronized (lock) {
      switch (state) {
        case NEW -> {
          state = State.STOPPED;
          shutDown();
          return;
        }
        case RUNNING -> state = State.STOPPING;
        case STOPPING, STOPPED -> {}
      }
      join = Thread.currentThread() != thread;
    }
    // Not interrupt(): that would abandon a tick in progress as a fault. Unparking ends the wait.
    LockSupport.unpark(thread);
    if (join) {
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Stops like {@link #stop()}, but drives every output of the running port to its grant safe
   * value, whatever its fault policy: the update agent's {@code safe} rollback mode. Returns when
   * that is done.
   */
  public void stopSafe(String reason) {
    safeStopReason = reason;
    stop();
  }

  /**
   * Asks the scan thread to replace the running module with {@code next}, driving {@code nextPort},
   * between two ticks. This is what the update agent calls; a rollback is the same call with the
   * module swapped out and a port for it (keep that module open until the update is committed).
   *
   * <p>The swap is made after a tick that did not fault, and only while the running port's {@link
   * FieldPort#updatePermitted()} and (unless the operator overrides it) the grant's {@code
   * swap_when}, evaluated on that tick's snapshot and outputs, hold. Then, on the scan thread: the
   * running module's state is saved and offered to {@code next} (which accepts it only from the
   * same module at a version in its {@code accepts_state}), {@code next} and {@code nextPort} take
   * over, and the old port is closed without its fault policy, its outputs carried on by {@code
   * nextPort} ({@code nextPort} may be the running port itself). The next slot runs {@code next};
   * the schedule does not move. If the preconditions do not hold within the timeout, the outcome is
   * {@link SwapOutcome.Held}. The save runs within the running module's tick budget and the load
   * within {@code next}'s; if either overruns or traps, that is a fault and the swap is {@link
   * SwapOutcome.Refused} (the running module goes on, from its last saved state).
   *
   * <p>The future completes off the scan thread, so what the caller chains onto it never runs
   * inside the tick cycle. Cancelling it withdraws the request.
   */
  public CompletableFuture<SwapOutcome> swap(
      ControlLogic next, FieldPort nextPort, SwapRequest request) {
    CompletableFuture<SwapOutcome> outcome = new CompletableFuture<>();
    Duration timeout =
        request
            .timeoutOverride()
            .or(() -> grant.swapCondition().map(s -> Duration.ofSeconds(s.timeoutS())))
            .orElse(DEFAULT_SWAP_TIMEOUT);
    String refusal;
    synchronized (lock) {
      refusal = refusal(next, nextPort);
      if (refusal == null) {
        pending =
            new PendingSwap(
                next, nextPort, request, timeout, clock.nanoTime() + timeout.toNanos(), outcome);
      }
    }
    if (refusal != null) {
      outcome.complete(new SwapOutcome.Refused(refusal));
    }
    return outcome;
  }

  private @Nullable String refusal(ControlLogic next, FieldPort nextPort) {
    if (state != State.RUNNING) {
      return "the scan loop is not running";
    }
    if (next == logic) {
      return "module '" + next.manifest().name() + "' is the one already running";
    }
    if (pending != null) {
      return "another swap is pending";
    }
    int points = next.manifest().points().size();
    int size = nextPort.snapshot().size();
    if (size != points) {
      return "the next port's process image has "
          + size
          + " points; module '"
          + next.manifest().name()
          + "' declares "
          + points;
    }
    return null;
  }

  /** The counters so far. */
  public ScanStats stats() {
    Manifest running = logic.manifest();
    return new ScanStats(
        ticks.get(),
        missedSlots.get(),
        overruns.get(),
        faults.get(),
        saves.get(),
        swaps.get(),
        lastSlot.get(),
        maxLateness.get(),
        totalLateness.get(),
        maxDuration.get(),
        totalDuration.get(),
        running.name(),
        running.version(),
        ControlLogic.threadsInAnyModuleCode(),
        strayInterrupts.get());
  }

  /** The module running now. */
  public ControlLogic running() {
    return logic;
  }

  private long dueNanos(long slot) {
    return baseNanos + (slot - baseSlot) * periodNanos;
  }

  private void run() {
    try {
      // Slot 0 is due when the thread is up: a thread slow to start is not a missed slot.
      originNanos = clock.nanoTime();
      baseNanos = originNanos;
      baseSlot = 0;
      long slot = 0;
      while (state == State.RUNNING) {
        long due = dueNanos(slot);
        long now = clock.nanoTime();
        while (now < due && state == State.RUNNING) {
          clearStrayInterrupt();
          clock.park(due - now);
          now = clock.nanoTime();
        }
        clearStrayInterrupt();
        if (state != State.RUNNING) {
          break;
        }
        if (now >= dueNanos(slot + 1)) {
          // Woken a whole period late: the slots whose period is over are missed, not bunched.
          long current = baseSlot + (now - baseNanos) / periodNanos;
          missedSlots.addAndGet(current - slot);
          slot = current;
          due = dueNanos(slot);
        }
        // taken before the slot, which may make the next swap, and announced after it: a caller
        // told Swapped finds the successor's first tick done
        PendingSwap made = madeSwap;
        StateLoad madeState = madeSwapState;
        List<String> madeToSafe = madeSwapOutputsToSafe;
        madeSwap = null;
        madeSwapState = null;
        runSlot(slot, due, now);
        if (made != null && madeState != null) {
          complete(made, new SwapOutcome.Swapped(slot, madeState, madeToSafe));
        }
        slot++;
      }
    } finally {
      // made but stopped before the successor's first slot: it would have run the next one
      announceSwap(baseSlot);
      PendingSwap left;
      synchronized (lock) {
        state = State.STOPPED;
        left = pending;
        pending = null;
      }
      if (left != null) {
        complete(left, new SwapOutcome.Refused("the scan loop stopped before the swap was made"));
      }
      shutDown();
    }
  }

  /**
   * Clears an interrupt of the scan thread and counts it. Nothing here interrupts the scan thread
   * ({@link #stop()} unparks it), so an interrupt is stray; left set, every park would return at
   * once and every tick fault as "caller was interrupted", for ever. The tick it lands in faults.
   */
  private void clearStrayInterrupt() {
    if (Thread.interrupted()) {
      strayInterrupts.incrementAndGet();
    }
  }

  private void shutDown() {
    try {
      // waits (bounded) until the device acknowledged each output's safe or hold value
      String safe = safeStopReason;
      List<String> undriven = safe == null ? port.stop("scan loop stopped") : port.stopSafe(safe);
      if (!undriven.isEmpty()) {
        LOG.log(
            System.Logger.Level.ERROR,
            "scan loop stopped: outputs not confirmed at their fault policy: " + undriven);
      }
    } finally {
      logic.close();
    }
  }

  private void runSlot(long slot, long due, long started) {
    ControlLogic current = logic;
    FieldPort currentPort = port;
    Manifest manifest = current.manifest();
    ProcessImage snapshot = null;
    TickResult result;
    try {
      snapshot = currentPort.snapshot();
      result = current.tick(TimeUnit.NANOSECONDS.toMillis(due - originNanos), snapshot);
      if (result instanceof TickResult.Ok ok) {
        currentPort.write(ok.outputs());
      } else if (result instanceof TickResult.Fault fault) {
        fault(currentPort, fault);
      }
    } catch (RuntimeException e) {
      // A port or host failure must not end the scan cycle: treat the tick as faulted.
      result = new TickResult.Fault(FaultKind.TRAP, "host: " + e);
      fault(currentPort, (TickResult.Fault) result);
    }
    long ended = clock.nanoTime();
    long lateness = started - due;
    long duration = ended - started;
    ticks.incrementAndGet();
    lastSlot.set(slot);
    totalLateness.addAndGet(lateness);
    totalDuration.addAndGet(duration);
    if (lateness > maxLateness.get()) {
      maxLateness.set(lateness);
    }
    if (duration > maxDuration.get()) {
      maxDuration.set(duration);
    }
    if (ended > dueNanos(slot + 1)) {
      overruns.incrementAndGet();
    }
    try {
      listener.onTick(slot, due, started, duration, manifest.name(), manifest.version(), result);
    } catch (RuntimeException e) {
      // a broken listener is the listener's problem, not the plant's
    }
    try {
      PendingSwap swap = pending;
      if (swap != null && snapshot != null && trySwap(swap, slot, snapshot, result)) {
        return;
      }
      saveIfDue(current, currentPort);
    } catch (RuntimeException e) {
      // the permit check or a close that threw: the next slot runs all the same
      LOG.log(System.Logger.Level.ERROR, "scan loop: after slot " + slot, e);
    }
  }

  private void fault(FieldPort currentPort, TickResult.Fault fault) {
    faults.incrementAndGet();
    try {
      currentPort.applyFaultPolicy("tick faulted: " + fault.kind() + ": " + fault.detail());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "scan loop: the port failed to apply its fault policy", e);
    }
  }

  /**
   * Saves the module's state every {@code save_every_ticks}, so that an instance replaced after a
   * fault resumes from it (the {@link ControlLogic} keeps it). This runs on the scan thread in the
   * slack after the tick, within the tick budget ({@link ControlLogic#save()}): {@code graft_save}
   * must not run beside {@code graft_tick} on the same instance, and {@code ControlLogic}
   * serialises both on its own worker, driven by one thread. A save that overruns or traps is a
   * fault.
   */
  private void saveIfDue(ControlLogic current, FieldPort currentPort) {
    if (++ticksSinceSave < current.manifest().saveEveryTicks()) {
      return;
    }
    ticksSinceSave = 0;
    if (!current.shape().exports("graft_save")) {
      return;
    }
    if (current.save().isPresent()) {
      saves.incrementAndGet();
    } else {
      faults.incrementAndGet();
      currentPort.applyFaultPolicy("graft_save faulted");
    }
  }

  /** Makes the swap if its preconditions hold now, or holds it if they ran out of time. */
  private boolean trySwap(PendingSwap swap, long slot, ProcessImage snapshot, TickResult result) {
    if (swap.outcome().isDone()) {
      // withdrawn by the caller
      clearPending(swap);
      return false;
    }
    String blocked = blocked(swap, snapshot, result);
    if (blocked == null) {
      makeSwap(swap, slot);
      return true;
    }
    if (clock.nanoTime() - swap.deadlineNanos() >= 0) {
      clearPending(swap);
      complete(
          swap,
          new SwapOutcome.Held(
              blocked + " for the whole swap timeout of " + swap.timeout().toMillis() + " ms"));
    }
    return false;
  }

  private @Nullable String blocked(PendingSwap swap, ProcessImage snapshot, TickResult result) {
    boolean rollback = swap.request().rollback();
    if (!rollback && !(result instanceof TickResult.Ok)) {
      return "the running module's last tick faulted";
    }
    if (!port.updatePermitted()) {
      return "update_permit is off";
    }
    Optional<Grant.Swap> when = grant.swapCondition();
    if (when.isPresent()
        && !swap.request().overrideSwapWhen()
        && result instanceof TickResult.Ok ok) {
      List<Manifest.Point> points = logic.manifest().points();
      boolean holds =
          when.get()
              .when()
              .holds(name -> {
                for (int i = 0; i < points.size(); i++) {
                  if (points.get(i).name().equals(name)) {
                    Double set = ok.outputs().get(i);
                    if (set != null) {
                      return OptionalDouble.of(set);
                    }
                    return snapshot.quality(i) == ProcessImage.GOOD
                        ? OptionalDouble.of(snapshot.value(i))
                        : OptionalDouble.empty();
                  }
                }
                return OptionalDouble.empty();
              });
      if (!holds) {
        return "swap_when '" + when.get().when() + "' did not hold";
      }
    }
    return null;
  }

  // identity: the same port object handed back stays open
  @SuppressWarnings("ReferenceEquality")
  private void makeSwap(PendingSwap swap, long slot) {
    ControlLogic old = logic;
    FieldPort oldPort = port;
    ControlLogic next = swap.next();
    long faultsBefore = old.faults();
    Optional<SavedState> saved = swap.request().rollback() ? Optional.empty() : old.save();
    StateLoad load;
    if (swap.request().rollback()) {
      load =
          new StateLoad.Skipped(
              "a rollback: the module resumes the state it kept when it was swapped out");
    } else if (saved.isPresent()) {
      load = next.load(saved.get());
    } else if (old.faults() > faultsBefore) {
      // A swap that dropped the running module's state would start its successor from scratch;
      // the swap is cancelled instead, and the running module (a fresh instance from its last
      // saved state) goes on.
      faults.incrementAndGet();
      oldPort.applyFaultPolicy("graft_save faulted at a swap");
      clearPending(swap);
      complete(
          swap,
          new SwapOutcome.Refused(
              "module '"
                  + old.manifest().name()
                  + "' faulted saving its state for the swap"
                  + old.lastFault().map(f -> ": " + f.kind() + ": " + f.detail()).orElse("")));
      return;
    } else {
      load = new StateLoad.Skipped("the running module saves no state");
    }
    if (load instanceof StateLoad.Failed failed) {
      clearPending(swap);
      complete(
          swap,
          new SwapOutcome.Refused(
              "module '"
                  + next.manifest().name()
                  + "' faulted loading the running module's state: "
                  + failed.fault().kind()
                  + ": "
                  + failed.fault().detail()));
      return;
    }
    // The slot after this one is already due at the old period; the new period counts from it.
    long nextDue = dueNanos(slot + 1);
    baseSlot = slot + 1;
    baseNanos = nextDue;
    periodNanos = TimeUnit.MILLISECONDS.toNanos(next.manifest().tickMs());
    ticksSinceSave = 0;
    logic = next;
    port = swap.nextPort();
    List<String> toSafe = List.of();
    if (oldPort != swap.nextPort()) {
      // outputs the old module drove and next does not declare: closing puts them to safe
      toSafe = oldPort.orphanedBy(swap.nextPort());
      oldPort.close();
    }
    swaps.incrementAndGet();
    clearPending(swap);
    madeSwap = swap;
    madeSwapState = load;
    madeSwapOutputsToSafe = toSafe;
  }

  private void announceSwap(long firstSlot) {
    PendingSwap made = madeSwap;
    StateLoad state = madeSwapState;
    if (made != null && state != null) {
      madeSwap = null;
      madeSwapState = null;
      complete(made, new SwapOutcome.Swapped(firstSlot, state, madeSwapOutputsToSafe));
    }
  }

  // identity: this request, not an equal one
  @SuppressWarnings("ReferenceEquality")
  private void clearPending(PendingSwap swap) {
    synchronized (lock) {
      if (pending == swap) {
        pending = null;
      }
    }
  }

  private static void complete(PendingSwap swap, SwapOutcome outcome) {
    ForkJoinPool.commonPool().execute(() -> swap.outcome().complete(outcome));
  }
}
