package dev.graft.gateway.runtime;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.ModbusTable;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The imports one instance sees: module {@code graft} and a zero-trust {@code
 * wasi_snapshot_preview1}. Each instance gets its own, so a discarded instance still running on an
 * abandoned thread can be {@linkplain #revoke() revoked} without touching the next instance's tick.
 */
final class GraftImports {
  /** Longest log line kept; the rest of a longer line is dropped. */
  static final int MAX_LOG_BYTES = 512;

  /** Log lines an instance may write per tick; more are dropped and counted. */
  static final int MAX_LOG_LINES_PER_TICK = 16;

  /**
   * Log bytes (graft.log and WASI stdout/stderr together) the host copies out of an instance's
   * memory per tick: the line limit in bytes. Bytes beyond it are not read at all, only counted.
   */
  static final int MAX_LOG_BYTES_PER_TICK = MAX_LOG_LINES_PER_TICK * MAX_LOG_BYTES;

  /** Bytes {@code random_get} may fill per tick; beyond it, it answers {@code ENOBUFS}. */
  static final int MAX_RANDOM_BYTES_PER_TICK = 64 * 1024;

  /** Most iovecs one {@code fd_write} takes (POSIX's usual IOV_MAX); more is {@code EINVAL}. */
  static final int MAX_IOVECS = 1024;

  /** Longest metric name kept, and how many distinct metrics an instance may report. */
  static final int MAX_METRIC_NAME_BYTES = 64;

  static final int MAX_METRICS = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final int WASI_EBADF = 8;
  private static final int WASI_EFAULT = 21;
  private static final int WASI_EINVAL = 28;
  private static final int WASI_ENOBUFS = 42;

  /** What {@code point_set} checks for one output point. */
  private record OutputRule(
      BigDecimal scale,
      BigDecimal offset,
      Manifest.@Nullable ValueType type,
      BigDecimal min,
      BigDecimal max) {}

  private final Manifest manifest;
  private final @Nullable OutputRule[] rules;
  private final Consumer<LogLine> log;
  private final AtomicLong refusals;
  private final AtomicLong droppedLogLines;
  private final Map<String, Double> metrics;

  private final LineStream stdout = new LineStream(1, "stdout");
  private final LineStream stderr = new LineStream(2, "stderr");

  private volatile boolean revoked;
  private volatile long nowMs;
  private @Nullable ProcessImage image;
  private SortedMap<Integer, Double> tickOutputs = new TreeMap<>();
  private int linesThisTick;
  private int logBytesThisTick;
  private int randomBytesThisTick;
  private final AtomicLong droppedLogBytes;

  GraftImports(
      Manifest manifest,
      Grant grant,
      Consumer<LogLine> log,
      AtomicLong refusals,
      AtomicLong droppedLogLines,
      AtomicLong droppedLogBytes,
      Map<String, Double> metrics) {
    this.droppedLogBytes = droppedLogBytes;
    this.manifest = manifest;
    this.rules = outputRules(manifest, grant);
    this.log = log;
    this.refusals = refusals;
    this.droppedLogLines = droppedLogLines;
    this.metrics = metrics;
  }

  private static @Nullable OutputRule[] outputRules(Manifest manifest, Grant grant) {
    List<Manifest.Point> points = manifest.points();
    @Nullable OutputRule[] rules = new OutputRule[points.size()];
    for (int i = 0; i < points.size(); i++) {
      Manifest.Point point = points.get(i);
      if (point.dir() != Manifest.Direction.OUT) {
        continue;
      }
      Grant.Target target;
      BigDecimal scale;
      BigDecimal offset = BigDecimal.ZERO;
      Manifest.ValueType type = null;
      switch (point) {
        case Manifest.Point.Modbus m -> {
          Manifest.ModbusPoint modbus = m.modbus();
          target = new Grant.Target.Register(modbus.table(), modbus.address());
          scale = modbus.scale();
          offset = modbus.offset();
          type = modbus.table() == ModbusTable.COIL ? Manifest.ValueType.BOOL : modbus.type();
        }
        case Manifest.Point.Coap coap -> {
          target = new Grant.Target.Resource(coap.coap().path());
          scale = BigDecimal.ONE;
        }
      }
      final Manifest.ValueType pointType = type;
      final BigDecimal pointScale = scale;
      final BigDecimal pointOffset = offset;
      // An output the grant does not bound gets no rule: every point_set on it is refused, since
      // the host clamps nothing and guesses no range (the capability check rejects such bundles).
      rules[i] =
          grant
              .output(point.device(), target)
              .map(o -> new OutputRule(pointScale, pointOffset, pointType, o.min(), o.max()))
              .orElse(null);
    }
    return rules;
  }

  /** Begins a tick: the snapshot the module reads and the clock it sees. */
  void beginTick(long tickNowMs, ProcessImage inputs) {
    if (inputs.size() != manifest.points().size()) {
      throw new IllegalArgumentException(
          "process image has "
              + inputs.size()
              + " points; the manifest declares "
              + manifest.points().size());
    }
    nowMs = tickNowMs;
    image = inputs;
    tickOutputs = new TreeMap<>();
    resetRateLimits();
  }

  private synchronized void resetRateLimits() {
    linesThisTick = 0;
    logBytesThisTick = 0;
    randomBytesThisTick = 0;
  }

  /** The outputs the current tick set. */
  SortedMap<Integer, Double> tickOutputs() {
    return tickOutputs;
  }

  /** Sets the clock for lifecycle calls outside a tick ({@code graft_init}, self-test, ...). */
  void setClock(long clockMs) {
    nowMs = clockMs;
    resetRateLimits();
  }

  /** Cuts this instance off: any further host call stops it. */
  void revoke() {
    revoked = true;
  }

  /**
   * Stops a host call on a discarded instance or an interrupted call. Every host function calls
   * this on entry and every host loop on each round, so no host call outlives its budget by more
   * than one round.
   */
  private void checkLive() {
    if (revoked) {
      throw new ChicoryInterruptedException("instance was discarded");
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new ChicoryInterruptedException("call was interrupted (budget exceeded)");
    }
  }

  ImportValues importValues(WasiPreview1 wasi) {
    List<HostFunction> functions = new ArrayList<>();
    functions.add(
        new HostFunction(
            "graft",
            "point_get",
            FunctionType.of(List.of(ValType.I32), List.of(ValType.F64)),
            (instance, args) -> new long[] {Double.doubleToRawLongBits(pointGet((int) args[0]))}));
    functions.add(
        new HostFunction(
            "graft",
            "point_quality",
            FunctionType.of(List.of(ValType.I32), List.of(ValType.I32)),
            (instance, args) -> new long[] {pointQuality((int) args[0])}));
    functions.add(
        new HostFunction(
            "graft",
            "point_set",
            FunctionType.of(List.of(ValType.I32, ValType.F64), List.of(ValType.I32)),
            (instance, args) ->
                new long[] {pointSet((int) args[0], Double.longBitsToDouble(args[1]))}));
    functions.add(
        new HostFunction(
            "graft",
            "log",
            FunctionType.of(List.of(ValType.I32, ValType.I32, ValType.I32), List.of()),
            (instance, args) -> {
              log(instance, (int) args[0], (int) args[1], (int) args[2]);
              return null;
            }));
    functions.add(
        new HostFunction(
            "graft",
            "metric",
            FunctionType.of(List.of(ValType.I32, ValType.I32, ValType.F64), List.of()),
            (instance, args) -> {
              metric(instance, (int) args[0], (int) args[1], Double.longBitsToDouble(args[2]));
              return null;
            }));
    for (HostFunction f : wasi.toHostFunctions()) {
      // Chicory answers the monotonic clock from System.nanoTime(); the ABI promises the tick
      // clock for every clock id, so clock_time_get is the host's own.
      // fd_write and random_get are the host's own too: Chicory's copy a module-chosen number of
      // bytes with no bound and no interruption check (16,000 iovecs over the whole memory kept
      // an abandoned thread busy for 45 s).
      switch (f.name()) {
        case "clock_time_get" ->
            functions.add(
                new HostFunction(
                    f.module(),
                    f.name(),
                    f.functionType(),
                    (instance, args) -> new long[] {clockTimeGet(instance, (int) args[2])}));
        case "fd_write" ->
            functions.add(
                new HostFunction(
                    f.module(),
                    f.name(),
                    f.functionType(),
                    (instance, args) ->
                        new long[] {
                          fdWrite(
                              instance, (int) args[0], (int) args[1], (int) args[2], (int) args[3])
                        }));
        case "random_get" ->
            functions.add(
                new HostFunction(
                    f.module(),
                    f.name(),
                    f.functionType(),
                    (instance, args) ->
                        new long[] {randomGet(instance, (int) args[0], (int) args[1])}));
        default -> functions.add(f);
      }
    }
    return ImportValues.builder().withFunctions(new ArrayList<>(functions)).build();
  }

  /** WASI with no arguments, environment or preopened directories; stdout and stderr go to log. */
  WasiPreview1 wasi() {
    // Chicory's streams stay wired for completeness; the host's own fd_write replaces the import
    // that would reach them.
    Clock tickClock =
        new Clock() {
          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return Instant.ofEpochMilli(nowMs);
          }
        };
    WasiOptions options =
        WasiOptions.builder()
            .withClock(tickClock)
            .withStdout(stdout)
            .withStderr(stderr)
            .withArguments(List.of())
            .build();
    return WasiPreview1.builder().withOptions(options).build();
  }

  private int clockTimeGet(Instance instance, int resultPtr) {
    checkLive();
    Memory memory = instance.memory();
    if (!inMemory(memory, resultPtr, 8)) {
      return WASI_EFAULT;
    }
    memory.writeLong(resultPtr, Math.multiplyExact(nowMs, 1_000_000L));
    return 0;
  }

  /**
   * WASI {@code fd_write} to stdout (1) or stderr (2), into the log: at most {@link #MAX_IOVECS}
   * iovecs, and at most what is left of the tick's {@link #MAX_LOG_BYTES_PER_TICK} is read from
   * memory; the rest is dropped unread and counted. It reports every byte as written, so a C
   * library does not retry what was dropped.
   */
  private int fdWrite(Instance instance, int fd, int iovs, int iovsLen, int nwrittenPtr) {
    checkLive();
    if (fd != 1 && fd != 2) {
      return WASI_EBADF;
    }
    if (iovsLen < 0 || iovsLen > MAX_IOVECS) {
      return WASI_EINVAL;
    }
    Memory memory = instance.memory();
    if (!inMemory(memory, iovs, iovsLen * 8) || !inMemory(memory, nwrittenPtr, 4)) {
      return WASI_EFAULT;
    }
    LineStream stream = fd == 1 ? stdout : stderr;
    long total = 0;
    for (int i = 0; i < iovsLen; i++) {
      checkLive();
      int buf = memory.readInt(iovs + i * 8);
      int len = memory.readInt(iovs + i * 8 + 4);
      if (len < 0 || !inMemory(memory, buf, len)) {
        return WASI_EFAULT;
      }
      total += len;
      int allowed = takeLogBytes(len);
      if (allowed > 0) {
        stream.append(memory.readBytes(buf, allowed));
      }
    }
    if (total > Integer.MAX_VALUE) {
      return WASI_EINVAL;
    }
    memory.writeI32(nwrittenPtr, (int) total);
    return 0;
  }

  /** Of {@code wanted} log bytes, how many the tick's byte limit still allows; the rest counted. */
  private synchronized int takeLogBytes(int wanted) {
    int allowed = Math.min(wanted, MAX_LOG_BYTES_PER_TICK - logBytesThisTick);
    logBytesThisTick += allowed;
    if (allowed < wanted) {
      droppedLogBytes.addAndGet(wanted - allowed);
    }
    return allowed;
  }

  /** WASI {@code random_get}, at most {@link #MAX_RANDOM_BYTES_PER_TICK} bytes per tick. */
  private int randomGet(Instance instance, int buf, int len) {
    checkLive();
    Memory memory = instance.memory();
    if (len < 0 || !inMemory(memory, buf, len)) {
      return WASI_EFAULT;
    }
    synchronized (this) {
      if (len > MAX_RANDOM_BYTES_PER_TICK - randomBytesThisTick) {
        return WASI_ENOBUFS;
      }
      randomBytesThisTick += len;
    }
    byte[] bytes = new byte[len];
    RANDOM.nextBytes(bytes);
    memory.write(buf, bytes);
    return 0;
  }

  private double pointGet(int index) {
    checkLive();
    ProcessImage current = image;
    if (current == null || index < 0 || index >= current.size()) {
      return Double.NaN;
    }
    if (manifest.points().get(index).dir() == Manifest.Direction.OUT) {
      // set in this tick: the module reads back what it just set. Otherwise the field's value for
      // the output (what the device is driven to: after a lost link its fault-policy value), the
      // same value point_quality qualifies; never the module's own last value over the field's.
      Double set = tickOutputs.get(index);
      if (set != null) {
        return set;
      }
    }
    return current.value(index);
  }

  private int pointQuality(int index) {
    checkLive();
    ProcessImage current = image;
    if (current == null || index < 0 || index >= current.size()) {
      return HostError.NOT_A_POINT.code();
    }
    return current.quality(index);
  }

  private int pointSet(int index, double value) {
    checkLive();
    HostError refused = checkOutput(index, value);
    if (refused != null) {
      refusals.incrementAndGet();
      return refused.code();
    }
    tickOutputs.put(index, value);
    return 0;
  }

  private @Nullable HostError checkOutput(int index, double value) {
    if (index < 0 || index >= rules.length) {
      return HostError.NOT_A_POINT;
    }
    if (manifest.points().get(index).dir() != Manifest.Direction.OUT) {
      return HostError.NOT_AN_OUTPUT;
    }
    if (!Double.isFinite(value)) {
      return HostError.NOT_FINITE;
    }
    OutputRule rule = rules[index];
    if (rule == null) {
      return HostError.OUT_OF_RANGE;
    }
    // value = raw × scale + offset, so raw = (value − offset) / scale; the grant bounds raw units.
    BigDecimal raw =
        new BigDecimal(value).subtract(rule.offset()).divide(rule.scale(), MathContext.DECIMAL64);
    Manifest.ValueType type = rule.type();
    if (type == Manifest.ValueType.BOOL
        && raw.compareTo(BigDecimal.ZERO) != 0
        && raw.compareTo(BigDecimal.ONE) != 0) {
      return HostError.OUT_OF_RANGE;
    }
    // what the field layer writes: integers rounded half-even, and only what the type holds
    if (type != null
        && !type.inRange(type.integral() ? raw.setScale(0, RoundingMode.HALF_EVEN) : raw)) {
      return HostError.OUT_OF_RANGE;
    }
    if (raw.compareTo(rule.min()) < 0 || raw.compareTo(rule.max()) > 0) {
      return HostError.OUT_OF_RANGE;
    }
    return null;
  }

  private void log(Instance instance, int level, int ptr, int len) {
    checkLive();
    Memory memory = instance.memory();
    if (len < 0 || !inMemory(memory, ptr, len)) {
      refusals.incrementAndGet();
      return;
    }
    int allowed = takeLogBytes(Math.min(len, MAX_LOG_BYTES));
    if (allowed == 0) {
      droppedLogLines.incrementAndGet();
      return;
    }
    byte[] bytes = memory.readBytes(ptr, allowed);
    emit(new LogLine(level, "log", new String(bytes, StandardCharsets.UTF_8)));
  }

  private synchronized void emit(LogLine line) {
    if (linesThisTick >= MAX_LOG_LINES_PER_TICK) {
      droppedLogLines.incrementAndGet();
      return;
    }
    linesThisTick++;
    log.accept(line);
  }

  private void metric(Instance instance, int namePtr, int nameLen, double value) {
    checkLive();
    Memory memory = instance.memory();
    if (nameLen <= 0 || nameLen > MAX_METRIC_NAME_BYTES || !inMemory(memory, namePtr, nameLen)) {
      refusals.incrementAndGet();
      return;
    }
    String name = new String(memory.readBytes(namePtr, nameLen), StandardCharsets.UTF_8);
    if (metrics.size() >= MAX_METRICS && !metrics.containsKey(name)) {
      refusals.incrementAndGet();
      return;
    }
    metrics.put(name, value);
  }

  private static boolean inMemory(Memory memory, int ptr, int len) {
    long end = Integer.toUnsignedLong(ptr) + Integer.toUnsignedLong(len);
    return ptr >= 0 && end <= (long) memory.pages() * Memory.PAGE_SIZE;
  }

  static Map<String, Double> newMetrics() {
    return new ConcurrentHashMap<>();
  }

  /** Collects WASI output into lines, each capped at {@link #MAX_LOG_BYTES}. */
  private final class LineStream extends OutputStream {
    private final int level;
    private final String source;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineStream(int level, String source) {
      this.level = level;
      this.source = source;
    }

    @Override
    public void write(int b) {
      if (b == '\n') {
        flushLine();
      } else if (line.size() < MAX_LOG_BYTES) {
        line.write(b);
      }
    }

    /** Appends bytes the host has already bounded, splitting lines at newlines. */
    void append(byte[] bytes) {
      for (byte b : bytes) {
        write(b);
      }
    }

    @Override
    public void flush() {
      if (line.size() > 0) {
        flushLine();
      }
    }

    private void flushLine() {
      checkLive();
      emit(new LogLine(level, source, line.toString(StandardCharsets.UTF_8)));
      line.reset();
    }
  }
}
