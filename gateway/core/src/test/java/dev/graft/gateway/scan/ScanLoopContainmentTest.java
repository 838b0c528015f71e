package dev.graft.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.FaultKind;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.abi.WatModules;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan loop's part of containment (issue #13, items 3 and 4): an overrunning tick leaves no
 * thread in module code, and a stray interrupt of the scan thread costs at most one tick.
 */
class ScanLoopContainmentTest {
  private static final Duration AWAIT = Duration.ofSeconds(30);

  @TempDir Path workDir;

  private WatModules wat;
  private Grant grant;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final VirtualClock clock = new VirtualClock();

  @BeforeAll
  static void wat2wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() throws Exception {
    wat = new WatModules(workDir, "wat");
    grant = Grant.parse(ScanFixtures.resource("scan/site.yaml"));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  @Test
  void run_strayInterruptOfTheScanThread_clearedCountedAndAtMostOneTickFaults() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(module("counter"), port, recorder, "graft-scan-stray");

    loop.start();
    await(() -> recorder.size() >= 20);
    scanThread("graft-scan-stray").interrupt();
    int interruptedAt = recorder.size();
    await(() -> recorder.size() >= interruptedAt + 50);
    loop.stop();

    ScanStats stats = loop.stats();
    // before: the runtime re-interrupts its caller, so every later tick faulted at once. Only the
    // tick the interrupt lands in may fault as interrupted; on a loaded machine the next tick may
    // also fault because the replacement instance was not ready yet, which is not the interrupt's.
    List<TickResult> results = recorder.ticks().stream().map(TickRecorder.Tick::result).toList();
    assertThat(results)
        .filteredOn(r -> r instanceof TickResult.Fault f && f.detail().contains("interrupted"))
        .hasSizeLessThanOrEqualTo(1);
    assertThat(stats.strayInterrupts()).isEqualTo(1);
    assertThat(results.subList(results.size() - 20, results.size()))
        .allMatch(r -> r instanceof TickResult.Ok);
  }

  @Test
  void run_tickLoopsForever_faultsAndNoThreadLeftInModuleCode() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(module("runaway"), port, recorder, "graft-scan-runaway");
    port.blip(3, 1.0); // runaway loops forever on input 1

    loop.start();
    await(() -> recorder.size() >= 10);
    await(() -> loop.stats().moduleThreads() == 0);
    loop.stop();

    TickResult looped = recorder.ticks().get(3).result();
    assertThat(looped).isInstanceOf(TickResult.Fault.class);
    assertThat(((TickResult.Fault) looped).kind()).isEqualTo(FaultKind.BUDGET_EXCEEDED);
    assertThat(loop.stats().moduleThreads()).isZero();
  }

  private ControlLogic module(String name) throws IOException, InterruptedException {
    byte[] wasm = wat.compile(name);
    Manifest manifest = ScanFixtures.manifest(wasm, name, "1.0.0", "[1, 2]", 10);
    ControlLogic logic = ControlLogic.builder(wasm, manifest, grant).build();
    opened.add(logic);
    return logic;
  }

  private ScanLoop loop(
      ControlLogic logic, FakeFieldPort port, TickRecorder recorder, String threadName) {
    ScanLoop loop =
        ScanLoop.builder(logic, port, grant)
            .clock(clock)
            .listener(recorder)
            .threadName(threadName)
            .build();
    opened.add(loop);
    return loop;
  }

  private static Thread scanThread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waited too long").isNegative();
      Thread.sleep(5);
    }
  }
}
