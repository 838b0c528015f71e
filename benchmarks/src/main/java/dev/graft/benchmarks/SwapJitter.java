package dev.graft.benchmarks;

import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.PreflightReport;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.runtime.StateLoad;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.gateway.scan.ScanLoop;
import dev.graft.gateway.scan.SwapOutcome;
import dev.graft.gateway.scan.SwapRequest;
import dev.graft.gateway.scan.TickListener;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

/**
 * P1: tick timing while hot-swapping. One scan loop runs boiler-control at {@code tick_ms} = 10
 * against an in-memory field (temperature above setpoint, so the grant's {@code swap_when: burner
 * == 0} holds and the permit is on); rounds alternate a baseline phase (no swap requested) with a
 * swap phase (boiler-control 1.0 and 1.1 swapped back and forth, one swap after another, state
 * carried, both preflighted first as the update agent does), the two phases running the same number
 * of ticks. Every tick's start lateness (actual start minus due time) is recorded by phase; missed
 * slots are counted per phase. Writes the figures as JSON to the file named by the first argument.
 * Run by benchmarks/run, not by JMH: it measures a schedule, not a method.
 *
 * <p>Lateness is recorded only for ticks that ran; a slot the loop could not start within its
 * period is a missed tick, counted apart, so the lateness maximum stays below one period by
 * construction and the missed counts are the figures to read first.
 *
 * <p>The example site grant's {@code min_tick_ms} (50) is lowered to 10 and the manifests' {@code
 * tick_ms} set to 10, as P1 asks; nothing else in them changes.
 */
public final class SwapJitter {
  private static final int TICK_MS = 10;
  private static final int WARM_UP_TICKS = 300;
  private static final int CAPACITY = 1 << 18;

  private SwapJitter() {}

  /** Start lateness of every tick, by phase; written on the scan thread only. */
  private static final class Recorder implements TickListener {
    static final int WARM_UP = -1;
    static final int BASELINE = 0;
    static final int SWAPPING = 1;

    volatile int phase = WARM_UP;
    final long[][] lateness = {new long[CAPACITY], new long[CAPACITY]};
    final int[] count = new int[2];
    long faults;

    @Override
    public void onTick(
        long slot,
        long scheduledNanos,
        long startedNanos,
        long durationNanos,
        String module,
        String version,
        TickResult result) {
      if (result instanceof TickResult.Fault) {
        faults++;
      }
      int p = phase;
      if (p >= 0 && count[p] < CAPACITY) {
        lateness[p][count[p]++] = startedNanos - scheduledNanos;
      }
    }
  }

  /** A field that never changes: boiler hotter than the setpoint, burner off, permit on. */
  private static final class StillField implements FieldPort {
    static final ProcessImage IMAGE = ProcessImage.good(70.0, 60.0, 0.0);

    @Override
    public ProcessImage snapshot() {
      return IMAGE;
    }

    @Override
    public void write(SortedMap<Integer, Double> outputs) {}

    @Override
    public void applyFaultPolicy(String reason) {}

    @Override
    public boolean updatePermitted() {
      return true;
    }

    @Override
    public void close() {}

    @Override
    public List<String> stopSafe(String reason) {
      return List.of(); // drives no device
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: SwapJitter <output.json> [swaps] [rounds]");
    }
    int swaps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    String yaml =
        new String(ExampleFiles.boilerSiteYaml(), StandardCharsets.UTF_8)
            .replace("min_tick_ms: 50", "min_tick_ms: " + TICK_MS);
    Grant grant = Grant.parse(yaml.getBytes(StandardCharsets.UTF_8));
    if (grant.ceilings().minTickMs() != TICK_MS) {
      throw new IllegalStateException("boiler-site.yaml no longer has min_tick_ms: 50");
    }
    ControlLogic v10 = logic("boiler-control-1.0", grant);
    ControlLogic v11 = logic("boiler-control-1.1", grant);
    // As the update agent does before it asks for a swap: self-test, shadow ticks, state round
    // trip. Only then are both modules candidates.
    for (ControlLogic candidate : new ControlLogic[] {v10, v11}) {
      PreflightReport report = candidate.preflight(Collections.nCopies(5, StillField.IMAGE));
      if (!report.passed()) {
        throw new IllegalStateException(
            candidate.manifest().name() + " " + candidate.manifest().version() + ": " + report);
      }
    }
    Recorder recorder = new Recorder();
    StillField port = new StillField();
    ScanLoop loop = ScanLoop.builder(v10, port, grant).listener(recorder).build();
    long[] missed = new long[2];
    int swapped = 0;
    int carried = 0;
    try {
      loop.start();
      awaitTicks(loop, WARM_UP_TICKS);
      ControlLogic next = v11;
      int perRound = swaps / rounds;
      for (int r = 0; r < rounds; r++) {
        long before = loop.stats().missedSlots();
        long startTicks = loop.stats().ticks();
        recorder.phase = Recorder.SWAPPING;
        for (int i = 0; i < perRound; i++) {
          SwapOutcome outcome =
              loop.swap(next, port, SwapRequest.standard().withTimeout(Duration.ofSeconds(10)))
                  .get(30, TimeUnit.SECONDS);
          if (!(outcome instanceof SwapOutcome.Swapped s)) {
            throw new IllegalStateException("swap " + (swapped + 1) + " not made: " + outcome);
          }
          swapped++;
          if (s.state() instanceof StateLoad.Loaded) {
            carried++;
          }
          next = next == v11 ? v10 : v11;
        }
        long swapTicks = loop.stats().ticks() - startTicks;
        missed[Recorder.SWAPPING] += loop.stats().missedSlots() - before;
        before = loop.stats().missedSlots();
        recorder.phase = Recorder.BASELINE;
        awaitTicks(loop, swapTicks);
        missed[Recorder.BASELINE] += loop.stats().missedSlots() - before;
        recorder.phase = Recorder.WARM_UP;
        System.out.printf(
            "P1 round %d: %d swaps over %d ticks, then %d ticks without%n",
            r + 1, perRound, swapTicks, swapTicks);
      }
    } finally {
      loop.stop();
      v10.close();
      v11.close();
    }
    String json =
        String.format(
            Locale.ROOT,
            "{\"tick_ms\":%d,\"swaps\":%d,\"state_carried\":%d,\"tick_faults\":%d,"
                + "\"load_average\":%.2f,\"baseline\":%s,\"swapping\":%s}%n",
            TICK_MS,
            swapped,
            carried,
            recorder.faults,
            // how busy the shared machine was: the figures mean little without it
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
            phase(recorder, Recorder.BASELINE, missed),
            phase(recorder, Recorder.SWAPPING, missed));
    System.out.print("P1 " + json);
    Files.writeString(Path.of(args[0]), json, StandardCharsets.UTF_8);
  }

  private static ControlLogic logic(String example, Grant grant) {
    Manifest m = ExampleFiles.manifest(example);
    Manifest at10 =
        new Manifest(
            m.abi(),
            m.name(),
            m.version(),
            m.stateVersion(),
            m.acceptsState(),
            m.module(),
            TICK_MS,
            m.limits(),
            m.points(),
            m.selfTest(),
            m.shadowTicks(),
            m.saveEveryTicks());
    return ControlLogic.builder(ExampleFiles.wasm(example), at10, grant).build();
  }

  private static void awaitTicks(ScanLoop loop, long ticks) throws InterruptedException {
    long target = loop.stats().ticks() + ticks;
    while (loop.stats().ticks() < target) {
      Thread.sleep(TICK_MS);
    }
  }

  private static String phase(Recorder recorder, int phase, long[] missed) {
    long[] late = Arrays.copyOf(recorder.lateness[phase], recorder.count[phase]);
    String worst = worst(late, 5);
    Arrays.sort(late);
    return String.format(
        Locale.ROOT,
        "{\"ticks\":%d,\"missed\":%d,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
            + "\"max_us\":%.1f,\"worst\":%s}",
        late.length,
        missed[phase],
        percentile(late, 0.50),
        percentile(late, 0.99),
        percentile(late, 0.999),
        late.length == 0 ? 0.0 : late[late.length - 1] / 1000.0,
        worst);
  }

  /**
   * The {@code n} latest ticks of a phase as {@code [[index, µs], …]}, index counting the phase's
   * ticks in order over all rounds: outliers bunched at the start of the first round are warm-up
   * (class loading, JIT compilation of the swap path), spread ones are the machine.
   */
  private static String worst(long[] lateness, int n) {
    Integer[] order = new Integer[lateness.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(lateness[b], lateness[a]));
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < Math.min(n, order.length); i++) {
      json.append(i == 0 ? "" : ",")
          .append(String.format(Locale.ROOT, "[%d,%.1f]", order[i], lateness[order[i]] / 1000.0));
    }
    return json.append(']').toString();
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0.0;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1000.0;
  }
}
