package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.abi.AbiViolationException;
import dev.graft.policies.abi.WatModules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlLogicTest {
  @TempDir Path workDir;

  private WatModules wat;
  private Grant grant;

  @BeforeAll
  static void wat2wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() throws IOException {
    wat = new WatModules(workDir, "wat");
    grant = Fixtures.grant();
  }

  private ControlLogic load(String module) throws Exception {
    byte[] wasm = wat.compile(module);
    return ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).build();
  }

  @Test
  void tick_counter_setsOutputEachTick() throws Exception {
    List<LogLine> lines = new CopyOnWriteArrayList<>();
    byte[] wasm = wat.compile("counter");
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).log(lines::add).build()) {
      assertThat(logic.tick(100, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 1.0)));
      assertThat(logic.tick(200, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 2.0)));
      assertThat(logic.lastOutputs()).isEqualTo(Map.of(2, 2.0));
      assertThat(lines).containsExactly(new LogLine(1, "log", "counter ready"));
    }
  }

  @Test
  void tick_infiniteLoop_budgetExceededAndNextTickRunsOnFreshInstance() throws Exception {
    try (ControlLogic logic = load("runaway")) {
      assertThat(logic.tick(100, Fixtures.inputs(0))).isInstanceOf(TickResult.Ok.class);

      long started = System.nanoTime();
      TickResult looped = logic.tick(200, Fixtures.inputs(1));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      assertThat(looped).isInstanceOf(TickResult.Fault.class);
      assertThat(((TickResult.Fault) looped).kind()).isEqualTo(FaultKind.BUDGET_EXCEEDED);
      // budget 50 ms; the margin only absorbs scheduling on a loaded 2-core machine
      assertThat(elapsedMs).isLessThan(50 + 250);
      AfterReplacement after = tickAfterReplacement(logic, 300, Fixtures.inputs(0));
      assertThat(after.result()).isEqualTo(ok(Map.of(1, 1.0)));
      assertThat(logic.instancesCreated()).isEqualTo(2);
      assertThat(logic.faults()).isEqualTo(1 + after.skipped());
    }
  }

  @Test
  void tick_infiniteLoop_leavesNoThreadInModuleCode() throws Exception {
    try (ControlLogic logic = load("runaway")) {
      assertThat(logic.tick(100, Fixtures.inputs(1))).isInstanceOf(TickResult.Fault.class);

      // the loop has no host call: only the interrupt checked at its back-edge can end it
      awaitNoThreadInModuleCode(logic);
      // the worker that ran it stopped in time and is kept, or was given up and has ended
      assertThat(workerAlive("graft-test-logic-worker-1")).isEqualTo(logic.abandonedWorkers() == 0);
    }
  }

  /** Waits (a generous deadline: this is no timing test) for every module call to have ended. */
  static void awaitNoThreadInModuleCode(ControlLogic logic) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (logic.threadsInModuleCode() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(logic.threadsInModuleCode()).as("threads still running module code").isZero();
  }

  private static boolean workerAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  @Test
  void tick_procExit_containedAsTrap() throws Exception {
    try (ControlLogic logic = load("exits")) {
      assertThat(logic.tick(100, Fixtures.inputs(0)))
          .isEqualTo(new TickResult.Fault(FaultKind.TRAP, "proc_exit(3)"));
    }
  }

  @Test
  void build_declaredMaximumAboveGrant_cappedAtGrant() throws Exception {
    try (ControlLogic logic = load("grow-max")) {
      assertThat(logic.shape().declaredMaximumPages()).hasValue(10);
      assertThat(logic.memoryLimits().maximumPages()).isEqualTo(2);

      assertThat(logic.tick(100, Fixtures.inputs(0))).isInstanceOf(TickResult.Ok.class);
      assertThat(logic.metrics()).containsEntry("grow5", -1.0).containsEntry("grow1", 1.0);
    }
  }

  @Test
  void tick_deepRecursion_containedAsStackOverflow() throws Exception {
    // Stack depth, not time, must end this tick: with the 50 ms test budget a loaded
    // CI machine can run out of time before the recursion runs out of stack.
    grant = Fixtures.grantWithTickBudget(5_000_000);
    try (ControlLogic logic = load("runaway")) {
      TickResult result = logic.tick(100, Fixtures.inputs(2));

      assertThat(result).isInstanceOf(TickResult.Fault.class);
      assertThat(((TickResult.Fault) result).kind()).isEqualTo(FaultKind.STACK_OVERFLOW);
      assertThat(tickAfterReplacement(logic, 200, Fixtures.inputs(0)).result())
          .isEqualTo(ok(Map.of(1, 1.0)));
    }
  }

  @Test
  void tick_trap_outputsDiscardedAndInstanceReplaced() throws Exception {
    try (ControlLogic logic = load("runaway")) {
      TickResult result = logic.tick(100, Fixtures.inputs(3));

      assertThat(result).isInstanceOf(TickResult.Fault.class);
      assertThat(((TickResult.Fault) result).kind()).isEqualTo(FaultKind.TRAP);
      assertThat(logic.lastOutputs()).isEmpty();
      assertThat(tickAfterReplacement(logic, 200, Fixtures.inputs(0)).result())
          .isEqualTo(ok(Map.of(1, 1.0)));
      assertThat(logic.instancesCreated()).isEqualTo(2);
    }
  }

  @Test
  void tick_nonZeroReturn_outputsDiscarded() throws Exception {
    try (ControlLogic logic = load("runaway")) {
      TickResult result = logic.tick(100, Fixtures.inputs(4));

      assertThat(result)
          .isEqualTo(new TickResult.Fault(FaultKind.NONZERO_RETURN, "graft_tick returned 7"));
      assertThat(logic.lastOutputs()).isEmpty();
    }
  }

  @Test
  void tick_memoryGrowBeyondGrant_failsInGuest() throws Exception {
    try (ControlLogic logic = load("grow")) {
      assertThat(logic.memoryLimits().maximumPages()).isEqualTo(2);

      assertThat(logic.tick(100, Fixtures.inputs(0))).isInstanceOf(TickResult.Ok.class);

      // from 1 page: +5 would exceed the grant's 2 pages and fails; +1 succeeds (old size 1)
      assertThat(logic.metrics()).containsEntry("grow5", -1.0).containsEntry("grow1", 1.0);
    }
  }

  @Test
  void build_unknownImport_rejectedAtValidation() throws Exception {
    byte[] wasm = wat.compile("unknown-import");
    Manifest manifest = Fixtures.manifest(wasm);

    assertThatThrownBy(() -> ControlLogic.builder(wasm, manifest, grant).build())
        .isInstanceOf(AbiViolationException.class)
        .hasMessageContaining("open_valve");
  }

  @Test
  void build_bytesNotNamedByManifest_rejected() throws Exception {
    byte[] wasm = wat.compile("counter");
    Manifest other = Fixtures.manifest(wat.compile("grow"));

    assertThatThrownBy(() -> ControlLogic.builder(wasm, other, grant).build())
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageContaining("but the manifest names");
  }

  @Test
  void pointSet_outOfRange_refusedAndNotRecorded() throws Exception {
    try (ControlLogic logic = load("setter")) {
      // level has scale 0.1 and the grant allows raw 0–1000, so 0.0–100.0
      assertThat(logic.tick(100, Fixtures.inputs(50))).isEqualTo(ok(Map.of(2, 50.0)));
      assertThat(logic.metrics()).containsEntry("rc_level", 0.0);

      TickResult high = logic.tick(200, Fixtures.inputs(100.1));

      assertThat(high).isEqualTo(ok(Map.of()));
      assertThat(logic.metrics())
          .containsEntry("rc_level", (double) HostError.OUT_OF_RANGE.code())
          .containsEntry("rc_input", (double) HostError.NOT_AN_OUTPUT.code())
          .containsEntry("rc_nopoint", (double) HostError.NOT_A_POINT.code())
          .containsEntry("rc_nan", (double) HostError.NOT_FINITE.code())
          .containsEntry("rc_coil", (double) HostError.OUT_OF_RANGE.code());
      assertThat(logic.lastOutputs()).isEqualTo(Map.of(2, 50.0));
      // tick 1: input, no point, NaN, coil 0.5; tick 2: the same four and the out-of-range level
      assertThat(logic.refusals()).isEqualTo(9);
    }
  }

  @Test
  void pointSet_edgeOfRange_accepted() throws Exception {
    try (ControlLogic logic = load("setter")) {
      assertThat(logic.tick(100, Fixtures.inputs(100.0))).isEqualTo(ok(Map.of(2, 100.0)));
      assertThat(logic.tick(200, Fixtures.inputs(-0.1))).isEqualTo(ok(Map.of()));
    }
  }

  @Test
  void pointSet_insideTheGrantButOutsideTheType_outOfRange() throws Exception {
    // a grant that (wrongly) lets the uint16 level go to raw -100: the capability check refuses
    // such a grant; should one get here anyway, point_set must not accept what the field layer
    // cannot write
    String yaml =
        new String(
            Objects.requireNonNull(getClass().getResourceAsStream("/runtime/site.yaml"))
                .readAllBytes(),
            StandardCharsets.UTF_8);
    Grant wide =
        Grant.parse(
            yaml.replace(
                    "address: 5, min: 0, max: 1000, safe: 0",
                    "address: 5, min: -100, max: 1000, safe: 0")
                .getBytes(StandardCharsets.UTF_8));
    byte[] wasm = wat.compile("setter");
    try (ControlLogic logic = ControlLogic.builder(wasm, Fixtures.manifest(wasm), wide).build()) {
      // level = -0.5 is raw -5: inside the grant's -100..1000, outside uint16's 0..65535
      assertThat(logic.tick(100, Fixtures.inputs(-0.5))).isEqualTo(ok(Map.of()));
      assertThat(logic.metrics()).containsEntry("rc_level", (double) HostError.OUT_OF_RANGE.code());

      assertThat(logic.tick(200, Fixtures.inputs(0.5))).isEqualTo(ok(Map.of(2, 0.5)));
    }
  }

  @Test
  void pointGet_outputTheFieldReportsOtherwise_theFieldsValueWithItsQuality() throws Exception {
    try (ControlLogic logic = load("readback")) {
      assertThat(logic.tick(100, Fixtures.inputs(50))).isEqualTo(ok(Map.of(2, 50.0)));
      assertThat(logic.metrics()).containsEntry("after", 50.0);

      // the field holds level at 7.5 (its fault policy, the link lost): quality bad
      ProcessImage field =
          ProcessImage.of(
              new double[] {0, 0, 7.5},
              new int[] {ProcessImage.GOOD, ProcessImage.GOOD, ProcessImage.BAD});
      assertThat(logic.tick(200, field)).isEqualTo(ok(Map.of()));

      assertThat(logic.metrics())
          .containsEntry("seen", 7.5)
          .containsEntry("quality", (double) ProcessImage.BAD)
          .containsEntry("after", 7.5);
    }
  }

  @Test
  void wasi_clockAndStdout_tickClockAndLog() throws Exception {
    List<LogLine> lines = new CopyOnWriteArrayList<>();
    byte[] wasm = wat.compile("clock");
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).log(lines::add).build()) {
      assertThat(logic.tick(42, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 42.0)));
      assertThat(logic.tick(77, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 77.0)));
      assertThat(lines)
          .containsExactly(new LogLine(1, "stdout", "tick"), new LogLine(1, "stdout", "tick"));
    }
  }

  @Test
  void log_manyLinesInOneTick_rateLimited() throws Exception {
    List<LogLine> lines = new CopyOnWriteArrayList<>();
    byte[] wasm = wat.compile("chatty");
    // a budget no loaded machine exceeds: this test is about the line limit, not the time limit
    Grant generous = Fixtures.grantWithTickBudget(5_000_000);
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), generous).log(lines::add).build()) {
      assertThat(logic.tick(100, Fixtures.inputs(0))).isInstanceOf(TickResult.Ok.class);
      assertThat(logic.tick(200, Fixtures.inputs(0))).isInstanceOf(TickResult.Ok.class);

      assertThat(lines).hasSize(2 * GraftImports.MAX_LOG_LINES_PER_TICK);
      assertThat(lines.getFirst()).isEqualTo(new LogLine(2, "log", "hello"));
      assertThat(logic.droppedLogLines()).isEqualTo(2 * (40 - GraftImports.MAX_LOG_LINES_PER_TICK));
    }
  }

  @Test
  void tick_imageOfWrongSize_rejected() throws Exception {
    try (ControlLogic logic = load("counter")) {
      assertThatThrownBy(() -> logic.tick(100, ProcessImage.good(1, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("process image has 2 points; the manifest declares 3");
    }
  }

  /** The first tick a replacement instance served, and how many ticks were skipped before it. */
  record AfterReplacement(TickResult result, int skipped) {}

  /**
   * Ticks until the replacement instance serves one. It is built while the caller goes on, so on a
   * busy machine the ticks right after a fault may be skipped as {@code BUDGET_EXCEEDED} while it
   * is not ready; fails if it never serves a tick.
   */
  static AfterReplacement tickAfterReplacement(
      ControlLogic logic, long nowMs, ProcessImage inputs) {
    for (int skipped = 0; skipped < 200; skipped++) {
      TickResult result = logic.tick(nowMs, inputs);
      if (!(result instanceof TickResult.Fault fault)
          || fault.kind() != FaultKind.BUDGET_EXCEEDED
          || !fault.detail().startsWith("replacement instance")) {
        return new AfterReplacement(result, skipped);
      }
    }
    throw new AssertionError("the replacement instance never served a tick");
  }

  static TickResult ok(Map<Integer, Double> outputs) {
    return new TickResult.Ok(new java.util.TreeMap<>(outputs));
  }

  static List<ProcessImage> images(int n) {
    List<ProcessImage> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(Fixtures.inputs(0));
    }
    return list;
  }
}
