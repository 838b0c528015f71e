package dev.graft.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.FaultKind;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.abi.WatModules;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft_save} runs on the scan thread, so it gets no more time than a tick (issue #13, item
 * 5): periodic saves and the save at a swap run within the tick budget, and a save that overruns or
 * traps at a swap cancels the swap instead of dropping the state.
 */
class SwapSaveTest {
  @TempDir Path workDir;

  private byte[] saver;
  private byte[] counter;
  private Grant grant;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final VirtualClock clock = new VirtualClock();

  @BeforeAll
  static void wat2wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() throws Exception {
    WatModules wat = new WatModules(workDir, "wat");
    saver = wat.compile("saver");
    counter = wat.compile("counter");
    // tick budget 500 ms, init budget 2 s: which one a save ran under shows in its fault
    grant = Grant.parse(ScanFixtures.resource("scan/site.yaml"));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  @Test
  void save_graftSaveLoopsForever_faultsAtTheTickBudgetNotTheInitBudget() throws Exception {
    ControlLogic logic = module(saver, "saver");
    assertThat(logic.tick(0, ProcessImage.good(1, 0, 0))).isInstanceOf(TickResult.Ok.class);

    assertThat(logic.save()).isEmpty();

    TickResult.Fault fault = logic.lastFault().orElseThrow();
    assertThat(fault.kind()).isEqualTo(FaultKind.BUDGET_EXCEEDED);
    assertThat(fault.detail()).isEqualTo("call ran past its budget of 500000 µs");
  }

  @Test
  void swap_graftSaveTraps_swapRefusedAndRunningModuleGoesOn() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ControlLogic old = module(saver, "saver");
    ScanLoop loop = loop(old, port, recorder);
    loop.start();
    await(recorder, 3);

    port.set(0, 2.0, ProcessImage.GOOD); // graft_save traps from now on
    CompletableFuture<SwapOutcome> outcome =
        loop.swap(module(counter, "counter"), port, SwapRequest.standard());

    SwapOutcome result = outcome.get(30, TimeUnit.SECONDS);
    // before: the swap was made and the running module's state dropped
    assertThat(result).isInstanceOf(SwapOutcome.Refused.class);
    assertThat(((SwapOutcome.Refused) result).reason())
        .startsWith("module 'saver' faulted saving its state for the swap: TRAP");
    int after = recorder.size();
    await(recorder, after + 3);
    loop.stop();
    assertThat(loop.stats().swaps()).isZero();
    assertThat(loop.stats().faults()).isPositive();
    assertThat(recorder.ticks().getLast().module()).isEqualTo("saver");
  }

  @Test
  void swap_graftSaveOverrunsTheTickBudget_swapRefusedAsBudgetExceeded() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(module(saver, "saver"), port, recorder);
    loop.start();
    await(recorder, 3);

    port.set(0, 1.0, ProcessImage.GOOD); // graft_save loops from now on
    SwapOutcome result =
        loop.swap(module(counter, "counter"), port, SwapRequest.standard())
            .get(30, TimeUnit.SECONDS);
    loop.stop();

    assertThat(result).isInstanceOf(SwapOutcome.Refused.class);
    assertThat(((SwapOutcome.Refused) result).reason())
        .isEqualTo(
            "module 'saver' faulted saving its state for the swap: BUDGET_EXCEEDED: call ran"
                + " past its budget of 500000 µs");
    assertThat(loop.stats().swaps()).isZero();
  }

  private ControlLogic module(byte[] wasm, String name) throws IOException {
    Manifest manifest = ScanFixtures.manifest(wasm, name, "1.0.0", "[1, 2]", 10);
    ControlLogic logic = ControlLogic.builder(wasm, manifest, grant).build();
    opened.add(logic);
    return logic;
  }

  private ScanLoop loop(ControlLogic logic, FakeFieldPort port, TickRecorder recorder) {
    ScanLoop loop = ScanLoop.builder(logic, port, grant).clock(clock).listener(recorder).build();
    opened.add(loop);
    return loop;
  }

  private static void await(TickRecorder recorder, int ticks) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (recorder.size() < ticks) {
      assertThat(System.nanoTime() - deadline).as("waited too long").isNegative();
      Thread.sleep(5);
    }
  }
}
