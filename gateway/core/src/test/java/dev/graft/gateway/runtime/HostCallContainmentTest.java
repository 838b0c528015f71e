package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.policies.abi.WatModules;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host calls cannot outlive a tick's budget (issue #13, item 3): WASI {@code fd_write} reads at
 * most the tick's log byte limit and checks for interruption on every iovec, and a tick that
 * overruns leaves no thread running module code.
 */
class HostCallContainmentTest {
  @TempDir Path workDir;

  private byte[] bomb;

  @BeforeAll
  static void wat2wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() throws Exception {
    bomb = new WatModules(workDir, "wat").compile("fd-write-bomb");
  }

  private ControlLogic load(List<LogLine> lines) throws Exception {
    return ControlLogic.builder(bomb, Fixtures.manifest(bomb), Fixtures.grantWithTickBudget(20_000))
        .log(lines::add)
        .build();
  }

  @Test
  void tick_fdWriteOf16000IovecsOverAllMemory_refusedAndNoThreadLeftInModuleCode()
      throws Exception {
    List<LogLine> lines = new CopyOnWriteArrayList<>();
    try (ControlLogic logic = load(lines)) {
      TickResult result = logic.tick(100, Fixtures.inputs(16_000));

      assertThat(result).isInstanceOf(TickResult.Fault.class);
      assertThat(((TickResult.Fault) result).kind()).isEqualTo(FaultKind.BUDGET_EXCEEDED);
      // before: Chicory's fd_write copied 2 GB a byte at a time, 45 s past a 20 ms budget
      ControlLogicTest.awaitNoThreadInModuleCode(logic);
      assertThat(logic.metrics()).containsEntry("errno", 28.0); // EINVAL: above IOV_MAX
    }
  }

  @Test
  void tick_fdWriteOverTheLogByteLimit_readsOnlyTheLimitAndStopsAtTheBudget() throws Exception {
    List<LogLine> lines = new CopyOnWriteArrayList<>();
    try (ControlLogic logic = load(lines)) {
      for (int i = 1; i <= 5; i++) {
        TickResult result = logic.tick(100L * i, Fixtures.inputs(1_024));
        assertThat(result).isInstanceOf(TickResult.Fault.class);
        ControlLogicTest.awaitNoThreadInModuleCode(logic);
        awaitInstances(logic, i + 1);
      }

      assertThat(logic.metrics()).containsEntry("errno", 0.0);
      // 1,024 iovecs of 128 KiB per call, many calls per tick: all counted, 8 KiB per tick read
      assertThat(logic.droppedLogBytes()).isGreaterThan(5L * 1_024 * 131_072 - 5 * 8_192);
      assertThat(lines).isEmpty(); // no newline in the bytes: no complete line
      assertThat(ControlLogic.threadsInAnyModuleCode()).isZero();
    }
  }

  /** Waits until {@code count} instances have been created (the replacement after a fault). */
  private static void awaitInstances(ControlLogic logic, long count) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (logic.instancesCreated() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(logic.instancesCreated()).isGreaterThanOrEqualTo(count);
  }
}
