package dev.graft.gateway.runtime;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import dev.graft.bundle.Digests;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.abi.AbiLimits;
import dev.graft.policies.abi.AbiValidator;
import dev.graft.policies.abi.ModuleShape;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One loaded control-logic module and its running instance.
 *
 * <p>Every call into the module runs on a dedicated worker thread under a budget. A call that
 * overruns is interrupted (compiled code stops at calls and loop back-edges) and its worker thread
 * abandoned; a call that traps, overflows its stack, exhausts memory or returns non-zero is
 * likewise discarded. In every such case the instance is replaced by a fresh one ({@code
 * _initialize}, {@code graft_init}, then {@code graft_load} of the last saved state), built on the
 * worker while the caller goes on, so the caller never waits much longer than the budget.
 *
 * <p>Not thread-safe: one scan loop drives one {@code ControlLogic}.
 */
public final class ControlLogic implements AutoCloseable {

  /** Default size limit for a module's bytes, checked before it is parsed. */
  public static final long DEFAULT_MAX_MODULE_BYTES = 16L * 1024 * 1024;

  /** Largest state blob copied out of a module. */
  public static final int MAX_STATE_BYTES = 1024 * 1024;

  /**
   * Worker stack size: bounds how deep a module can recurse before the call is stopped as a stack
   * overflow, the same on every JVM whatever its default thread stack.
   */
  static final long WORKER_STACK_BYTES = 2L * 1024 * 1024;

  /** Threads in module code now, over every {@code ControlLogic} in this JVM. */
  private static final AtomicInteger THREADS_IN_MODULE_CODE = new AtomicInteger();

  /** Longest wait, after an overrunning call is interrupted, for it to leave module code. */
  static final long MAX_STOP_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** Shortest such wait, so a tiny budget does not abandon a thread that is about to stop. */
  static final long MIN_STOP_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final Manifest manifest;
  private final ModuleShape shape;
  private final CompiledModuleCache.Compiled compiled;
  private final MemoryLimits memoryLimits;
  private final int tableCeiling;
  private final long tickBudgetNanos;
  private final long initBudgetNanos;
  private final long selfTestBudgetNanos;
  private final Consumer<LogLine> log;
  private final Grant grant;

  private final AtomicLong refusals = new AtomicLong();
  private final AtomicLong droppedLogLines = new AtomicLong();
  private final AtomicLong droppedLogBytes = new AtomicLong();
  private final AtomicInteger threadsInModuleCode = new AtomicInteger();
  private final AtomicLong abandonedWorkers = new AtomicLong();
  private final Map<String, Double> metrics = GraftImports.newMetrics();
  private final Map<Integer, Double> lastOutputs = new ConcurrentHashMap<>();
  private final AtomicLong instancesCreated = new AtomicLong();
  private final AtomicLong workerGeneration = new AtomicLong();

  private ExecutorService worker;
  private @Nullable Live live;
  private @Nullable Future<Live> replacement;
  private @Nullable ModuleCall<Live> replacementCall;
  private long replacementStartedNanos;
  private @Nullable SavedState lastState;
  private long faults;
  private TickResult.@Nullable Fault lastFault;
  private volatile long clockMs;
  private boolean closed;

  /** A running instance and the imports bound to it. */
  private record Live(
      Instance instance, GraftImports imports, WasiPreview1 wasi, ExportFunction tick) {}

  /** A contained failure of one call into the module. */
  private static final class Contained extends Exception {
    private static final long serialVersionUID = 1L;
    private final FaultKind kind;

    Contained(FaultKind kind, String detail) {
      super(detail, null, false, false);
      this.kind = kind;
    }

    TickResult.Fault fault() {
      return new TickResult.Fault(kind, String.valueOf(getMessage()));
    }
  }

  /** A lifecycle export that returned a fault code; raised on the worker, contained by the host. */
  private static final class NonZeroReturn extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NonZeroReturn(String export, long code) {
      super(export + " returned " + code, null, false, false);
    }
  }

  private ControlLogic(Builder b, ModuleShape shape, CompiledModuleCache.Compiled compiled) {
    this.manifest = b.manifest;
    this.grant = b.grant;
    this.shape = shape;
    this.compiled = compiled;
    int ceiling = memoryCeiling(b.manifest, b.grant);
    // Capped here, not left to withMemoryLimits, which replaces the module's limits unchecked.
    int maximum = Math.min(shape.declaredMaximumPages().orElse(ceiling), ceiling);
    this.memoryLimits = new MemoryLimits(shape.initialPages(), maximum);
    this.tableCeiling = b.grant.ceilings().tableEntries();
    this.tickBudgetNanos = TimeUnit.MICROSECONDS.toNanos(tickBudgetUs(b.manifest, b.grant));
    this.initBudgetNanos = TimeUnit.MILLISECONDS.toNanos(b.grant.ceilings().initBudgetMs());
    this.selfTestBudgetNanos = TimeUnit.MILLISECONDS.toNanos(b.grant.ceilings().selfTestBudgetMs());
    this.log = b.log;
    this.worker = newWorker();
  }

  /** Starts loading {@code wasm}, described by {@code manifest}, within {@code grant}. */
  public static Builder builder(byte[] wasm, Manifest manifest, Grant grant) {
    return new Builder(wasm, manifest, grant);
  }

  /** Options for loading a module; {@link #build()} validates, compiles and instantiates it. */
  public static final class Builder {
    private final byte[] wasm;
    private final Manifest manifest;
    private final Grant grant;
    private @Nullable CompiledModuleCache cache;
    private @Nullable AuthenticatedDiskCache diskCache;
    private boolean interpreterFallback;
    private long maxModuleBytes = DEFAULT_MAX_MODULE_BYTES;
    private Consumer<LogLine> log = line -> {};

    private Builder(byte[] wasm, Manifest manifest, Grant grant) {
      this.wasm = wasm.clone();
      this.manifest = manifest;
      this.grant = grant;
    }

    /** The cache of compiled modules to use; without one, the module is compiled afresh. */
    public Builder cache(CompiledModuleCache cache) {
      this.cache = cache;
      return this;
    }

    /**
     * The on-disk cache of compiled modules to use after an in-memory miss, so a restarted gateway
     * does not compile its modules again; its entries are authenticated with the gateway's key.
     */
    public Builder diskCache(AuthenticatedDiskCache diskCache) {
      this.diskCache = diskCache;
      return this;
    }

    /**
     * Whether a function too large to become one JVM method may run in Chicory's interpreter (about
     * 60× slower) instead of failing the load. Off by default: a module is either compiled whole or
     * refused, so its tick budget means the same thing everywhere.
     */
    public Builder interpreterFallback(boolean allowed) {
      this.interpreterFallback = allowed;
      return this;
    }

    public Builder maxModuleBytes(long bytes) {
      this.maxModuleBytes = bytes;
      return this;
    }

    /** Where the module's log lines (graft.log, WASI stdout and stderr) go. */
    public Builder log(Consumer<LogLine> sink) {
      this.log = sink;
      return this;
    }

    /**
     * Validates the module (before anything else reads it), checks its memory against the grant,
     * compiles it (or takes it from the cache) and brings up the first instance.
     *
     * @throws dev.graft.policies.abi.AbiViolationException if the module breaks ABI graft/1
     * @throws ModuleLoadException if it does not fit the grant or its initialisation fails
     */
    public ControlLogic build() {
      int ceiling = memoryCeiling(manifest, grant);
      ModuleShape shape =
          AbiValidator.validate(wasm, AbiLimits.of(maxModuleBytes, ceiling, grant.ceilings()));
      if (shape.initialPages() > ceiling) {
        throw new ModuleLoadException(
            "module declares "
                + shape.initialPages()
                + " initial memory pages; its limit is "
                + ceiling
                + " (the smaller of the manifest's limits.memory_pages and the grant's ceiling)");
      }
      byte[] sha256 = sha256(wasm);
      String hex = HexFormat.of().formatHex(sha256);
      if (!hex.equals(manifest.module().sha256())) {
        throw new ModuleLoadException(
            "module bytes hash to "
                + hex
                + " but the manifest names "
                + manifest.module().sha256());
      }
      boolean fallback = interpreterFallback;
      String name = manifest.name();
      AuthenticatedDiskCache disk = diskCache;
      Supplier<CompiledModuleCache.Compiled> compiler =
          () -> compile(name, wasm, fallback, disk == null ? null : disk.forModule(hex, fallback));
      CompiledModuleCache.Compiled compiled =
          cache == null ? compiler.get() : cache.get(sha256, fallback, compiler);
      ControlLogic logic = new ControlLogic(this, shape, compiled);
      try {
        logic.start();
      } catch (RuntimeException e) {
        logic.close();
        throw e;
      }
      return logic;
    }
  }

  /**
   * The memory limit a module runs with: the smaller of what its manifest declares and what the
   * grant allows (module-abi.md: the manifest's limits must lie within the grant, and the module is
   * held to its own).
   */
  static int memoryCeiling(Manifest manifest, Grant grant) {
    return Math.min(manifest.limits().memoryPages(), grant.ceilings().memoryPages());
  }

  /** The tick budget a module runs with: the smaller of its manifest's and the grant's. */
  static long tickBudgetUs(Manifest manifest, Grant grant) {
    return Math.min(manifest.limits().tickBudgetUs(), grant.ceilings().tickBudgetUs());
  }

  private static CompiledModuleCache.Compiled compile(
      String name,
      byte[] wasm,
      boolean interpreterFallback,
      com.dylibso.chicory.compiler.@Nullable Cache diskCache) {
    var module = Parser.parse(wasm);
    try {
      var builder =
          MachineFactoryCompiler.builder(module)
              .withInterpreterFallback(
                  interpreterFallback ? InterpreterFallback.WARN : InterpreterFallback.FAIL);
      // The generated classes pass through the cache hook, the one place Chicory shows them:
      // their method sizes tell which functions HotSpot will not JIT-compile.
      byte[][] classes = new byte[1][];
      builder.withCache(CompiledCode.capturing(diskCache, classes));
      var machines = builder.compile();
      return new CompiledModuleCache.Compiled(
          module, machines, CompiledCode.hugeFunctions(classes[0]));
    } catch (ChicoryException e) {
      // Chicory's message names the function (index and name) and the reason, typically a body
      // too large for one JVM method, which only Builder.interpreterFallback(true) can run.
      throw new ModuleLoadException(
          "module '" + name + "' cannot be compiled: " + e.getMessage(), e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    return Digests.sha256(bytes);
  }

  private ExecutorService newWorker() {
    // Named per module and generation, so an abandoned worker can be told apart in a thread dump.
    String name = "graft-" + manifest.name() + "-worker-" + workerGeneration.incrementAndGet();
    return Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(null, task, name, WORKER_STACK_BYTES);
      t.setDaemon(true);
      return t;
    });
  }

  private void start() {
    try {
      live = call(this::fresh, initBudgetNanos);
    } catch (Contained c) {
      TickResult.Fault fault = c.fault();
      throw new ModuleLoadException(
          "module '"
              + manifest.name()
              + "' failed to start: "
              + fault.kind()
              + ": "
              + fault.detail());
    }
  }

  /** Instantiates and initialises a new instance; runs on the worker. */
  private Live fresh() {
    GraftImports imports =
        new GraftImports(manifest, grant, log, refusals, droppedLogLines, droppedLogBytes, metrics);
    imports.setClock(clockMs);
    WasiPreview1 wasi = imports.wasi();
    Instance instance =
        Instance.builder(compiled.module())
            .withImportValues(imports.importValues(wasi))
            .withMachineFactory(compiled.machines())
            .withMemoryLimits(memoryLimits)
            // One contiguous byte[]: the fastest of the bounds-checked memories on the compute
            // example (benchmarks: ComputeBenchmark, memory=FlatMemory).
            .withMemoryFactory(FlatMemory::new)
            // Each instance gets its own copy of the table's limits, its maximum capped at the
            // grant's ceiling: Chicory's table.grow updates the limits object it was given, and
            // the parsed module's is shared by every instance built from it.
            .withTableFactory((table, initialRef) ->
                new TableInstance(
                    new Table(
                        table.elementType(),
                        new TableLimits(
                            table.limits().min(), Math.min(table.limits().max(), tableCeiling)),
                        table.initialize()),
                    initialRef))
            .withStart(false)
            .build();
    instancesCreated.incrementAndGet();
    if (shape.exports("_initialize")) {
      instance.export("_initialize").apply();
    }
    if (shape.exports("graft_init")) {
      long rc = instance.export("graft_init").apply()[0];
      if (rc != 0) {
        throw new NonZeroReturn("graft_init", rc);
      }
    }
    SavedState state = lastState;
    if (state != null && skipReason(state) == null) {
      loadInto(instance, state);
    }
    return new Live(instance, imports, wasi, instance.export("graft_tick"));
  }

  /** Runs {@code body} on the worker, waiting at most {@code budgetNanos}. */
  private <T> T call(Callable<T> body, long budgetNanos) throws Contained {
    if (closed) {
      throw new IllegalStateException("control logic is closed");
    }
    ModuleCall<T> moduleCall = new ModuleCall<>(body);
    Future<T> future = worker.submit(moduleCall);
    return await(moduleCall, future, budgetNanos);
  }

  private <T> T await(ModuleCall<T> moduleCall, Future<T> future, long budgetNanos)
      throws Contained {
    try {
      return future.get(budgetNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      stop(moduleCall, future, budgetNanos);
      throw new Contained(
          FaultKind.BUDGET_EXCEEDED,
          "call ran past its budget of " + TimeUnit.NANOSECONDS.toMicros(budgetNanos) + " µs");
    } catch (InterruptedException e) {
      stop(moduleCall, future, budgetNanos);
      Thread.currentThread().interrupt();
      throw new Contained(FaultKind.BUDGET_EXCEEDED, "caller was interrupted");
    } catch (CancellationException e) {
      throw new Contained(FaultKind.BUDGET_EXCEEDED, "call was cancelled");
    } catch (ExecutionException e) {
      throw classify(e.getCause() == null ? e : e.getCause());
    }
  }

  /**
   * Stops an overrunning call: interrupts it and waits a little (the budget, between {@link
   * #MIN_STOP_GRACE_NANOS} and {@link #MAX_STOP_GRACE_NANOS}) for it to leave module code, which
   * compiled code does at its next loop back-edge or call and every host function at its next
   * round. Then its worker is kept for the next call. Only a call still in module code after that
   * (a thread the machine did not schedule in time) has its worker given up, so the next call does
   * not queue behind it; it is counted in {@link #abandonedWorkers()} and in {@link
   * #threadsInModuleCode()} until it stops.
   */
  private void stop(ModuleCall<?> moduleCall, Future<?> future, long budgetNanos) {
    future.cancel(true);
    long grace = Math.clamp(budgetNanos, MIN_STOP_GRACE_NANOS, MAX_STOP_GRACE_NANOS);
    if (!moduleCall.awaitLeft(grace)) {
      abandonWorker();
    }
  }

  private void abandonWorker() {
    abandonedWorkers.incrementAndGet();
    worker.shutdownNow();
    worker = newWorker();
  }

  /**
   * One call into module code on the worker, counted while it runs. A call stopped before it
   * started never enters module code.
   */
  private final class ModuleCall<T> implements Callable<T> {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int LEFT = 2;
    private static final int STOPPED_BEFORE_START = 3;

    private final Callable<T> body;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final CountDownLatch left = new CountDownLatch(1);

    ModuleCall(Callable<T> body) {
      this.body = body;
    }

    @Override
    public T call() throws Exception {
      if (!state.compareAndSet(NEW, RUNNING)) {
        throw new CancellationException("stopped before it started");
      }
      threadsInModuleCode.incrementAndGet();
      THREADS_IN_MODULE_CODE.incrementAndGet();
      try {
        return body.call();
      } finally {
        threadsInModuleCode.decrementAndGet();
        THREADS_IN_MODULE_CODE.decrementAndGet();
        state.set(LEFT);
        left.countDown();
      }
    }

    /** Whether the call has left module code (or will never enter it) within {@code nanos}. */
    boolean awaitLeft(long nanos) {
      if (state.compareAndSet(NEW, STOPPED_BEFORE_START)) {
        return true;
      }
      boolean interrupted = Thread.interrupted();
      try {
        return left.await(nanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
        return left.getCount() == 0;
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static Contained classify(Throwable t) {
    if (t instanceof NonZeroReturn) {
      return new Contained(FaultKind.NONZERO_RETURN, String.valueOf(t.getMessage()));
    }
    if (t instanceof StackOverflowError) {
      return new Contained(FaultKind.STACK_OVERFLOW, "call stack exhausted");
    }
    if (t instanceof OutOfMemoryError) {
      return new Contained(FaultKind.MEMORY_LIMIT, "out of memory: " + t.getMessage());
    }
    if (t instanceof WasiExitException exit) {
      return new Contained(FaultKind.TRAP, "proc_exit(" + exit.exitCode() + ")");
    }
    String message = String.valueOf(t.getMessage());
    if (t instanceof ChicoryException) {
      if (message.contains("call stack exhausted")) {
        return new Contained(FaultKind.STACK_OVERFLOW, message);
      }
      return new Contained(FaultKind.TRAP, message);
    }
    return new Contained(FaultKind.TRAP, t.getClass().getSimpleName() + ": " + message);
  }

  /**
   * Runs one tick: {@code graft_tick(nowMs)} on {@code inputs}, within the grant's tick budget.
   *
   * @return the outputs the tick set, or the fault for which they were discarded
   * @throws IllegalArgumentException if {@code inputs} does not match the manifest's points
   */
  public TickResult tick(long nowMs, ProcessImage inputs) {
    return tick(nowMs, inputs, true);
  }

  private TickResult tick(long nowMs, ProcessImage inputs, boolean commit) {
    if (inputs.size() != manifest.points().size()) {
      throw new IllegalArgumentException(
          "process image has "
              + inputs.size()
              + " points; the manifest declares "
              + manifest.points().size());
    }
    long started = System.nanoTime();
    clockMs = nowMs;
    try {
      boolean waitedForReplacement = live == null;
      Live current = awaitLive();
      long left = tickBudgetNanos - (System.nanoTime() - started);
      if (waitedForReplacement && left < tickBudgetNanos / 2) {
        // The fresh instance became ready late in this tick, leaving the module too little of
        // its budget. Running it anyway would time out and discard a healthy instance, and on a
        // busy host every tick could go that way; so the tick is skipped and the instance kept.
        TickResult.Fault skipped =
            new TickResult.Fault(
                FaultKind.BUDGET_EXCEEDED,
                "replacement instance ready too late in the tick; tick skipped");
        faults++;
        lastFault = skipped;
        return skipped;
      }
      long rc =
          call(
              () -> {
                current.imports().beginTick(nowMs, inputs);
                return current.tick().apply(nowMs)[0];
              },
              Math.max(left, 0));
      if (rc != 0) {
        throw new Contained(FaultKind.NONZERO_RETURN, "graft_tick returned " + rc);
      }
      SortedMap<Integer, Double> outputs = new TreeMap<>(current.imports().tickOutputs());
      if (commit) {
        lastOutputs.putAll(outputs);
      }
      return new TickResult.Ok(outputs);
    } catch (Contained c) {
      return recordAndReplace(c.fault());
    }
  }

  /**
   * The running instance, waiting for a replacement at most the tick budget; a replacement that
   * takes longer than the init budget is abandoned and started again.
   */
  private Live awaitLive() throws Contained {
    Live current = live;
    if (current != null) {
      return current;
    }
    Future<Live> pending = replacement;
    if (pending == null) {
      throw new IllegalStateException("no instance and none being built");
    }
    try {
      current = pending.get(tickBudgetNanos, TimeUnit.NANOSECONDS);
      live = current;
      replacement = null;
      return current;
    } catch (TimeoutException e) {
      if (System.nanoTime() - replacementStartedNanos > initBudgetNanos) {
        ModuleCall<Live> call = replacementCall;
        if (call != null) {
          stop(call, pending, tickBudgetNanos);
        }
        startReplacement();
        throw new Contained(
            FaultKind.BUDGET_EXCEEDED, "replacement instance ran past the init budget; restarted");
      }
      throw new Contained(
          FaultKind.BUDGET_EXCEEDED, "replacement instance not ready within the tick budget");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Contained(FaultKind.BUDGET_EXCEEDED, "caller was interrupted");
    } catch (CancellationException e) {
      startReplacement();
      throw new Contained(FaultKind.BUDGET_EXCEEDED, "replacement was cancelled; restarted");
    } catch (ExecutionException e) {
      Contained c = classify(e.getCause() == null ? e : e.getCause());
      startReplacement();
      throw new Contained(c.fault().kind(), "replacement instance failed: " + c.getMessage());
    }
  }

  private TickResult.Fault recordAndReplace(TickResult.Fault fault) {
    faults++;
    lastFault = fault;
    Live old = live;
    if (old != null) {
      old.imports().revoke();
      live = null;
      startReplacement();
    }
    return fault;
  }

  private void startReplacement() {
    replacementStartedNanos = System.nanoTime();
    ModuleCall<Live> call = new ModuleCall<>(this::fresh);
    replacementCall = call;
    replacement = worker.submit(call);
  }

  /**
   * Saves the module's state with {@code graft_save}, within the tick budget: the scan loop calls
   * this on its own thread between two ticks (periodically, and at a swap), so a save may take no
   * more of it than a tick may. The state is also kept for recovery: a replacement instance loads
   * it.
   *
   * @return the state, or empty if the module does not save state or faulted while saving (the
   *     fault is recorded and the instance replaced)
   */
  public Optional<SavedState> save() {
    if (!shape.exports("graft_save")) {
      return Optional.empty();
    }
    try {
      Live current = awaitLive();
      byte[] blob = call(() -> saveFrom(current.instance()), tickBudgetNanos);
      SavedState state = new SavedState(manifest.name(), manifest.stateVersion(), blob);
      lastState = state;
      return Optional.of(state);
    } catch (Contained c) {
      recordAndReplace(c.fault());
      return Optional.empty();
    }
  }

  private static byte[] saveFrom(Instance instance) {
    long packed = instance.export("graft_save").apply()[0];
    int ptr = (int) (packed >>> 32);
    int len = (int) packed;
    Memory memory = instance.memory();
    long end = Integer.toUnsignedLong(ptr) + Integer.toUnsignedLong(len);
    if (len < 0 || len > MAX_STATE_BYTES) {
      throw new NonZeroReturn("graft_save (length " + Integer.toUnsignedString(len) + ")", packed);
    }
    if (end > (long) memory.pages() * Memory.PAGE_SIZE) {
      throw new NonZeroReturn("graft_save (blob outside memory)", packed);
    }
    return memory.readBytes(ptr, len);
  }

  /**
   * Hands {@code state} (saved by this module or its predecessor) to the running instance with
   * {@code graft_alloc} and {@code graft_load}, within the tick budget: a swap calls this on the
   * scan thread between two ticks (the preflight's state round trip has run both calls once, so
   * their code is loaded). It is skipped, with the reason, unless the module name matches, the
   * manifest's {@code accepts_state} lists its version and the module exports both calls.
   */
  public StateLoad load(SavedState state) {
    String reason = skipReason(state);
    if (reason != null) {
      return new StateLoad.Skipped(reason);
    }
    try {
      Live current = awaitLive();
      call(
          () -> {
            loadInto(current.instance(), state);
            return state.length();
          },
          tickBudgetNanos);
      lastState = state;
      return new StateLoad.Loaded(state.length());
    } catch (Contained c) {
      return new StateLoad.Failed(recordAndReplace(c.fault()));
    }
  }

  private @Nullable String skipReason(SavedState state) {
    if (!state.moduleName().equals(manifest.name())) {
      return "state is from module '" + state.moduleName() + "', this is '" + manifest.name() + "'";
    }
    if (!manifest.acceptsState().contains(state.stateVersion())) {
      return "state version "
          + state.stateVersion()
          + " is not in accepts_state "
          + manifest.acceptsState();
    }
    if (!shape.exports("graft_load") || !shape.exports("graft_alloc")) {
      return "module does not export graft_load and graft_alloc";
    }
    return null;
  }

  private static void loadInto(Instance instance, SavedState state) {
    byte[] blob = state.blob();
    long ptr = instance.export("graft_alloc").apply(blob.length)[0];
    Memory memory = instance.memory();
    long end = (ptr & 0xFFFF_FFFFL) + blob.length;
    if (ptr == 0 || end > (long) memory.pages() * Memory.PAGE_SIZE) {
      throw new NonZeroReturn("graft_alloc(" + blob.length + ")", ptr);
    }
    memory.write((int) ptr, blob);
    long rc = instance.export("graft_load").apply(ptr, blob.length)[0];
    if (rc != 0) {
      throw new NonZeroReturn("graft_load", rc);
    }
  }

  /**
   * Checks a candidate before it goes live: {@code graft_self_test} (if the manifest asks for it)
   * within the self-test budget, then one shadow tick per snapshot, outputs discarded, then a state
   * round trip ({@code graft_save}, then {@code graft_load} of it). Then a fresh instance replaces
   * the one they ran on: {@code graft_init}, and the state last loaded or saved, if any. The shadow
   * ticks ran at made-up times ({@code i × tick_ms}), and what they leave in the module's memory (a
   * PID's integrator, the time of its last tick) must not reach its first real tick; the module
   * goes live as it would have without a preflight.
   */
  public PreflightReport preflight(List<ProcessImage> shadowInputs) {
    long refusalsBefore = refusals.get();
    String selfTest;
    boolean passed = true;
    if (!manifest.selfTest()) {
      selfTest = "not requested";
    } else if (!shape.exports("graft_self_test")) {
      selfTest = "not exported";
      passed = false;
    } else {
      try {
        Live current = awaitLive();
        call(
            () -> {
              long rc = current.instance().export("graft_self_test").apply()[0];
              if (rc != 0) {
                throw new NonZeroReturn("graft_self_test", rc);
              }
              return rc;
            },
            selfTestBudgetNanos);
        selfTest = "passed";
      } catch (Contained c) {
        TickResult.Fault fault = recordAndReplace(c.fault());
        selfTest = "failed: " + fault.kind() + ": " + fault.detail();
        passed = false;
      }
    }
    List<TickResult> results = new ArrayList<>();
    for (int i = 0; i < shadowInputs.size(); i++) {
      TickResult result = tick((long) i * manifest.tickMs(), shadowInputs.get(i), false);
      passed &= result instanceof TickResult.Ok;
      results.add(result);
    }
    String stateRoundTrip = stateRoundTrip();
    passed &= !stateRoundTrip.startsWith("failed");
    passed &= restartAfterPreflight();
    return new PreflightReport(
        passed, selfTest, results, stateRoundTrip, refusals.get() - refusalsBefore, jitNotes());
  }

  /**
   * The state handover a swap will make, proved on the preflight instance: {@code graft_save}, then
   * {@code graft_alloc} and {@code graft_load} of that state back into the same instance. A module
   * that cannot read its own state fails here rather than at the swap; and the calls have run once,
   * so their code is loaded and linked before the swap calls them on the scan thread (on a first
   * call that costs milliseconds, a large part of a 10 ms tick).
   */
  private String stateRoundTrip() {
    if (!shape.exports("graft_save")) {
      return "not exported";
    }
    if (!shape.exports("graft_load") || !shape.exports("graft_alloc")) {
      return "save only (the module does not export graft_load and graft_alloc)";
    }
    if (!manifest.acceptsState().contains(manifest.stateVersion())) {
      return "save only (accepts_state does not list its own state_version "
          + manifest.stateVersion()
          + ")";
    }
    try {
      Live current = awaitLive();
      byte[] blob = call(() -> saveFrom(current.instance()), initBudgetNanos);
      SavedState own = new SavedState(manifest.name(), manifest.stateVersion(), blob);
      call(
          () -> {
            loadInto(current.instance(), own);
            return blob.length;
          },
          initBudgetNanos);
      return "passed (" + blob.length + " bytes)";
    } catch (Contained c) {
      TickResult.Fault fault = recordAndReplace(c.fault());
      return "failed: " + fault.kind() + ": " + fault.detail();
    }
  }

  /**
   * Replaces the instance the preflight ran on with a fresh one, within the init budget; false
   * (recorded as a fault, a replacement started) if that fails. A replacement still pending after a
   * faulted call is fresh already and is left to come up.
   */
  private boolean restartAfterPreflight() {
    Live used = live;
    if (used == null) {
      return true;
    }
    live = null;
    used.imports().revoke();
    used.wasi().close();
    try {
      live = call(this::fresh, initBudgetNanos);
      return true;
    } catch (Contained c) {
      faults++;
      lastFault = c.fault();
      startReplacement();
      return false;
    }
  }

  /**
   * Functions whose compiled JVM method is above HotSpot's huge-method limit, each with whether
   * this JVM will JIT-compile it ({@code -XX:-DontCompileHugeMethods}) or leave it interpreted;
   * empty if the module has none.
   */
  public List<String> jitNotes() {
    return CompiledCode.describe(compiled.huge(), CompiledCode.jvmCompilesHugeMethods());
  }

  /** {@code point_set} calls refused so far (out of range, not an output, NaN, bad pointers). */
  public long refusals() {
    return refusals.get();
  }

  /** Log lines dropped by the per-tick rate limit. */
  public long droppedLogLines() {
    return droppedLogLines.get();
  }

  /**
   * Log bytes not read from the module's memory because the tick's log byte limit was reached (WASI
   * {@code fd_write} and {@code graft.log} together).
   */
  public long droppedLogBytes() {
    return droppedLogBytes.get();
  }

  /**
   * Threads running this module's code now: 1 during a call, 0 between calls. A call that overran
   * its budget and did not stop within the grace period stays counted until it stops.
   */
  public int threadsInModuleCode() {
    return threadsInModuleCode.get();
  }

  /** Threads running the code of any module in this JVM now. */
  public static int threadsInAnyModuleCode() {
    return THREADS_IN_MODULE_CODE.get();
  }

  /**
   * Workers given up because an overrunning call had not left module code within the grace period
   * after its interrupt; each one also shows in {@link #threadsInModuleCode()} until it stops.
   */
  public long abandonedWorkers() {
    return abandonedWorkers.get();
  }

  /** The latest value of every metric the module reported. */
  public Map<String, Double> metrics() {
    return Map.copyOf(metrics);
  }

  /** The last value committed for each output point, by index. */
  public Map<Integer, Double> lastOutputs() {
    return Map.copyOf(lastOutputs);
  }

  public long faults() {
    return faults;
  }

  public Optional<TickResult.Fault> lastFault() {
    return Optional.ofNullable(lastFault);
  }

  /** Instances created so far, the first one included. */
  public long instancesCreated() {
    return instancesCreated.get();
  }

  /** The memory limits the instances run with: declared initial, maximum capped at the grant. */
  public MemoryLimits memoryLimits() {
    return memoryLimits;
  }

  /** The tick budget the module runs with: the smaller of its manifest's and the grant's. */
  public long tickBudgetUs() {
    return TimeUnit.NANOSECONDS.toMicros(tickBudgetNanos);
  }

  public ModuleShape shape() {
    return shape;
  }

  /** The manifest the module was loaded with: its name, version, tick period and points. */
  public Manifest manifest() {
    return manifest;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Live current = live;
    if (current != null) {
      current.imports().revoke();
      current.wasi().close();
    }
    Future<Live> pending = replacement;
    if (pending != null) {
      pending.cancel(true);
    }
    worker.shutdownNow();
  }
}
