package dev.graft.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.FaultKind;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.runtime.StateLoad;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.abi.WatModules;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanLoopTest {
  private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final Duration AWAIT = Duration.ofSeconds(30);

  @TempDir Path workDir;

  private byte[] counter;
  private Grant grant;
  private Grant swapWhenGrant;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final VirtualClock clock = new VirtualClock();

  @BeforeAll
  static void wat2wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() throws Exception {
    counter = new WatModules(workDir, "wat").compile("counter");
    grant = Grant.parse(ScanFixtures.resource("scan/site.yaml"));
    swapWhenGrant = Grant.parse(ScanFixtures.resource("scan/site-swap-when.yaml"));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  // ---- the schedule ----

  @Test
  void run_tenMsTicksOverHundredsOfSlots_slotsContiguousAndNoneMissed() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, grant, recorder);

    loop.start();
    await(() -> recorder.size() >= 300);
    loop.stop();

    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertContiguousFromZero(ticks);
    assertOnSchedule(ticks);
    // the counter counts every tick: no tick ran twice or was lost
    for (TickRecorder.Tick t : ticks) {
      assertThat(t.level()).as("count at slot %d", t.slot()).isEqualTo(t.slot() + 1.0);
    }
    ScanStats stats = loop.stats();
    assertThat(stats.missedSlots()).isZero();
    assertThat(stats.faults()).isZero();
    assertThat(stats.ticks()).isEqualTo(ticks.size());
    assertThat(stats.lastSlot()).isEqualTo(ticks.getLast().slot());
    assertThat(stats.saves()).as("a save every 5 ticks").isGreaterThanOrEqualTo(ticks.size() / 5);
  }

  @Test
  void run_systemClock_everySlotOnScheduleAndEveryGapCountedAsMissed() throws Exception {
    // Real time on a shared machine: a slot may be missed under load, so this checks that the
    // bookkeeping agrees with what ran; the virtual-clock tests check that none is missed.
    FakeFieldPort port = new FakeFieldPort(3);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop =
        ScanLoop.builder(counter("counter", "1.0.0"), port, grant).listener(recorder).build();
    opened.add(loop);

    loop.start();
    await(() -> recorder.size() >= 100);
    loop.stop();

    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertOnSchedule(ticks);
    long gaps = ticks.getFirst().slot();
    for (int i = 0; i < ticks.size(); i++) {
      assertThat(ticks.get(i).level()).isEqualTo(i + 1.0);
      if (i > 0) {
        assertThat(ticks.get(i).slot()).isGreaterThan(ticks.get(i - 1).slot());
        gaps += ticks.get(i).slot() - ticks.get(i - 1).slot() - 1;
      }
    }
    assertThat(loop.stats().missedSlots()).isEqualTo(gaps);
    assertThat(loop.stats().ticks()).isEqualTo(ticks.size());
  }

  @Test
  void run_tickOverrunsSeveralPeriods_slotsMissedAndScheduleDoesNotSlip() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, grant, recorder);
    // the 21st snapshot (slot 20, if none was missed before) takes 35 ms: 3.5 periods
    port.slowDown(20, 35);

    loop.start();
    await(() -> recorder.size() >= 60);
    loop.stop();

    List<TickRecorder.Tick> ticks = recorder.ticks();
    long gaps = 0;
    boolean jumped = false;
    for (int i = 1; i < ticks.size(); i++) {
      long step = ticks.get(i).slot() - ticks.get(i - 1).slot();
      assertThat(step).isPositive();
      gaps += step - 1;
      if (i == 21) {
        // the slow tick ended 35 ms after slot 20 was due: slots 21 and 22 have passed, slot 23
        // is still in its period and runs late
        assertThat(step).as("step after the slow tick").isEqualTo(3);
        jumped = true;
      }
    }
    assertThat(jumped).isTrue();
    assertOnSchedule(ticks);
    ScanStats stats = loop.stats();
    assertThat(stats.missedSlots()).isEqualTo(gaps).isEqualTo(2);
    assertThat(stats.overruns()).isEqualTo(1);
    // skipped, not bunched up: no slot ran twice, each tick counted once
    for (int i = 0; i < ticks.size(); i++) {
      assertThat(ticks.get(i).level()).isEqualTo(i + 1.0);
    }
  }

  @Test
  void run_moduleTraps_faultCountedPolicyAppliedLoopGoesOnFromSavedState() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, grant, recorder);
    // counter traps on a positive temp; the 11th tick sees one, after saves at ticks 5 and 10
    port.blip(10, 1.0);

    loop.start();
    await(() -> recorder.size() >= 40);
    loop.stop();

    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertContiguousFromZero(ticks);
    assertThat(ticks.get(10).result()).isInstanceOf(TickResult.Fault.class);
    assertThat(((TickResult.Fault) ticks.get(10).result()).kind()).isEqualTo(FaultKind.TRAP);
    // the replacement instance resumed from the state saved after tick 10
    assertThat(ticks.get(11).level()).isEqualTo(11.0);
    assertThat(ticks.getLast().level()).isEqualTo(ticks.size() - 1.0);
    assertThat(loop.stats().faults()).isEqualTo(1);
    assertThat(port.faultPolicies())
        .filteredOn(reason -> reason.startsWith("fault: tick faulted: TRAP"))
        .hasSize(1);
  }

  @Test
  void run_portThrows_countedAsFaultPolicyAppliedLoopGoesOn() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, grant, recorder);
    port.failWrite(5);

    loop.start();
    await(() -> recorder.size() >= 20);
    loop.stop();

    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertContiguousFromZero(ticks);
    assertThat(ticks.get(5).result())
        .isEqualTo(
            new TickResult.Fault(
                FaultKind.TRAP, "host: java.lang.IllegalStateException: writer broke"));
    assertThat(loop.stats().faults()).isEqualTo(1);
    assertThat(port.faultPolicies())
        .contains("fault: tick faulted: TRAP: host: java.lang.IllegalStateException: writer broke");
  }

  @Test
  void startAndStop_faultPolicyBeforeFirstTickAndAfterLast_thenPortAndLogicClosed()
      throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ControlLogic logic = counter("counter", "1.0.0");
    ScanLoop loop = loop(logic, port, grant, recorder);

    loop.start();
    await(() -> recorder.size() >= 3);
    loop.stop();

    List<String> events = port.events();
    assertThat(events.getFirst()).isEqualTo("fault: scan loop starting");
    assertThat(events.get(1)).isEqualTo("snapshot");
    assertThat(events.subList(events.size() - 2, events.size()))
        .containsExactly("fault: scan loop stopped", "close");
    assertThat(port.closed()).isTrue();
    assertThatThrownBy(() -> logic.tick(0, ProcessImage.good(0, 0, 0)))
        .isInstanceOf(IllegalStateException.class);
    int after = recorder.size();
    Thread.sleep(50);
    assertThat(recorder.size()).as("no tick after stop").isEqualTo(after);
  }

  @Test
  void start_twice_refused() throws Exception {
    ScanLoop loop = loop(counter("counter", "1.0.0"), new FakeFieldPort(3, clock), grant, null);
    loop.start();

    assertThatThrownBy(loop::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("scan loop already running");
  }

  // ---- hot swap ----

  @Test
  void swap_backAndForthOverAHundredTimes_noSlotMissedAndCountCarried() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ControlLogic a = counter("counter", "1.0.0");
    ControlLogic b = counter("counter", "1.1.0");
    ScanLoop loop = loop(a, port, grant, recorder);
    loop.start();

    List<Long> firstSlots = new ArrayList<>();
    ControlLogic next = b;
    for (int i = 0; i < 120; i++) {
      SwapOutcome outcome = get(loop.swap(next, port, SwapRequest.standard()));
      assertThat(outcome).isInstanceOf(SwapOutcome.Swapped.class);
      SwapOutcome.Swapped swapped = (SwapOutcome.Swapped) outcome;
      assertThat(swapped.state()).isEqualTo(new StateLoad.Loaded(8));
      firstSlots.add(swapped.firstSlot());
      next = next == b ? a : b;
    }
    long end = recorder.ticks().getLast().slot() + 5;
    await(() -> recorder.ticks().getLast().slot() >= end);
    loop.stop();

    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertContiguousFromZero(ticks);
    assertOnSchedule(ticks);
    assertThat(loop.stats().missedSlots()).isZero();
    assertThat(loop.stats().swaps()).isEqualTo(120);
    for (TickRecorder.Tick t : ticks) {
      assertThat(t.level()).as("count at slot %d", t.slot()).isEqualTo(t.slot() + 1.0);
    }
    // each swap took effect exactly at the slot it reported, alternating the versions
    for (int i = 0; i < firstSlots.size(); i++) {
      int first = Math.toIntExact(firstSlots.get(i));
      String expected = i % 2 == 0 ? "1.1.0" : "1.0.0";
      assertThat(ticks.get(first).version()).isEqualTo(expected);
      assertThat(ticks.get(first - 1).version()).isNotEqualTo(expected);
    }
    assertThat(port.closed()).as("the shared port stays open across swaps").isTrue();
    assertThat(port.faultPolicies())
        .as("a swap applies no fault policy")
        .containsExactly("fault: scan loop starting", "fault: scan loop stopped");
  }

  @Test
  void swap_toAnotherModule_startsFromItsInitAndRollbackResumesTheOld() throws Exception {
    FakeFieldPort oldPort = new FakeFieldPort(3, clock);
    FakeFieldPort otherPort = new FakeFieldPort(3, clock);
    FakeFieldPort rollbackPort = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ControlLogic counterLogic = counter("counter", "1.0.0");
    ControlLogic other = counter("other", "2.0.0");
    ScanLoop loop = loop(counterLogic, oldPort, grant, recorder);
    loop.start();
    await(() -> recorder.size() >= 20);

    SwapOutcome swapped = get(loop.swap(other, otherPort, SwapRequest.standard()));

    assertThat(swapped).isInstanceOf(SwapOutcome.Swapped.class);
    SwapOutcome.Swapped s = (SwapOutcome.Swapped) swapped;
    assertThat(s.state())
        .isEqualTo(new StateLoad.Skipped("state is from module 'counter', this is 'other'"));
    assertThat(oldPort.closed()).isTrue();
    assertThat(oldPort.faultPolicies()).containsExactly("fault: scan loop starting");
    long first = s.firstSlot();
    await(() -> recorder.ticks().getLast().slot() >= first + 10);

    // rollback: the same call the other way, with a port for the old module
    SwapOutcome back = get(loop.swap(counterLogic, rollbackPort, SwapRequest.standard()));
    assertThat(back).isInstanceOf(SwapOutcome.Swapped.class);
    long rolledBack = ((SwapOutcome.Swapped) back).firstSlot();
    await(() -> recorder.ticks().getLast().slot() >= rolledBack + 3);
    loop.stop();

    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertContiguousFromZero(ticks);
    TickRecorder.Tick lastOld = ticks.get(Math.toIntExact(first - 1));
    assertThat(lastOld.module()).isEqualTo("counter");
    // the other module counts from its own graft_init
    assertThat(ticks.get(Math.toIntExact(first)).module()).isEqualTo("other");
    assertThat(ticks.get(Math.toIntExact(first)).level()).isEqualTo(1.0);
    // the rolled-back module is the instance that was swapped out: it resumes its own count
    assertThat(ticks.get(Math.toIntExact(rolledBack)).module()).isEqualTo("counter");
    assertThat(ticks.get(Math.toIntExact(rolledBack)).level()).isEqualTo(lastOld.level() + 1);
    assertThat(otherPort.closed()).isTrue();
    assertThat(loop.stats().missedSlots()).isZero();
  }

  @Test
  void swap_rollbackToPrevious_afterFaultingTicksAndAgainstSwapWhen_resumesItsOwnState()
      throws Exception {
    FakeFieldPort oldPort = new FakeFieldPort(3, clock);
    FakeFieldPort newPort = new FakeFieldPort(3, clock);
    FakeFieldPort rollbackPort = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ControlLogic previous = counter("counter", "1.0.0");
    ControlLogic failing = counter("counter", "1.1.0");
    // swap_when "temp <= -10": never true on these ports, so only the operator's override or a
    // rollback gets past it
    ScanLoop loop = loop(previous, oldPort, swapWhenGrant, recorder);
    loop.start();
    await(() -> recorder.size() >= 20);
    SwapOutcome forward = get(loop.swap(failing, newPort, SwapRequest.operatorOverride()));
    assertThat(forward).isInstanceOf(SwapOutcome.Swapped.class);
    long first = ((SwapOutcome.Swapped) forward).firstSlot();
    await(() -> recorder.ticks().getLast().slot() >= first + 5);
    newPort.set(0, 1.0, ProcessImage.GOOD); // counter traps on a positive temp: every tick faults
    await(() -> loop.stats().faults() >= 3);

    // an ordinary swap never follows a faulted tick
    assertThat(
            get(
                loop.swap(
                    previous,
                    rollbackPort,
                    SwapRequest.operatorOverride().withTimeout(Duration.ofMillis(100)))))
        .isInstanceOf(SwapOutcome.Held.class);
    SwapOutcome back =
        get(loop.swap(previous, new FakeFieldPort(3, clock), SwapRequest.rollbackToPrevious()));

    assertThat(back).isInstanceOf(SwapOutcome.Swapped.class);
    SwapOutcome.Swapped rolledBack = (SwapOutcome.Swapped) back;
    assertThat(rolledBack.state())
        .isEqualTo(
            new StateLoad.Skipped(
                "a rollback: the module resumes the state it kept when it was swapped out"));
    await(() -> recorder.ticks().getLast().slot() >= rolledBack.firstSlot() + 3);
    loop.stop();
    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertContiguousFromZero(ticks);
    TickRecorder.Tick lastBeforeSwap = ticks.get(Math.toIntExact(first - 1));
    TickRecorder.Tick afterRollback = ticks.get(Math.toIntExact(rolledBack.firstSlot()));
    assertThat(afterRollback.version()).isEqualTo("1.0.0");
    assertThat(afterRollback.result()).isInstanceOf(TickResult.Ok.class);
    // 1.0.0 goes on from its own count at the forward swap, not from 1.1.0's
    assertThat(afterRollback.level()).isEqualTo(lastBeforeSwap.level() + 1);
  }

  @Test
  void stopSafe_outputsGoToTheirSafeValueNotTheirFaultPolicy() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, grant, recorder);
    loop.start();
    await(() -> recorder.size() >= 5);

    loop.stopSafe("failed its watch");

    assertThat(port.events()).contains("safe: failed its watch");
    assertThat(port.faultPolicies()).containsExactly("fault: scan loop starting");
    assertThat(port.closed()).isTrue();
  }

  @Test
  void swap_stateVersionNotAccepted_nextStartsFromItsOwnInit() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(counter("counter", "2.0.0"), port, grant, recorder);
    loop.start();
    await(() -> recorder.size() >= 10);

    SwapOutcome outcome =
        get(loop.swap(counter("counter", "1.0.0", "[1]"), port, SwapRequest.standard()));

    assertThat(outcome).isInstanceOf(SwapOutcome.Swapped.class);
    SwapOutcome.Swapped swapped = (SwapOutcome.Swapped) outcome;
    assertThat(swapped.state())
        .isEqualTo(new StateLoad.Skipped("state version 2 is not in accepts_state [1]"));
    long first = swapped.firstSlot();
    await(() -> recorder.ticks().getLast().slot() >= first);
    TickRecorder.Tick tick = recorder.ticks().get(Math.toIntExact(first));
    assertThat(tick.version()).isEqualTo("1.0.0");
    assertThat(tick.level()).isEqualTo(1.0);
  }

  @Test
  void swap_made_swappedAnnouncedOnlyAfterTheNextModulesFirstTick() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    CompletableFuture<CompletableFuture<SwapOutcome>> swapping = new CompletableFuture<>();
    List<Boolean> announcedDuringFirstTick = new ArrayList<>();
    TickListener listener =
        (slot, due, started, duration, module, version, result) -> {
          if (!version.equals("1.1.0") || !announcedDuringFirstTick.isEmpty()) {
            return;
          }
          // the new module's first tick: give an early announcement ample time to arrive
          boolean done = false;
          try {
            swapping.get(5, TimeUnit.SECONDS).get(2, TimeUnit.SECONDS);
            done = true;
          } catch (Exception e) {
            // not announced while the tick was still being reported: what the loop promises
          }
          announcedDuringFirstTick.add(done);
        };
    ControlLogic logic = counter("counter", "1.0.0");
    ScanLoop loop = ScanLoop.builder(logic, port, grant).clock(clock).listener(listener).build();
    opened.add(loop);
    loop.start();

    CompletableFuture<SwapOutcome> outcome =
        loop.swap(counter("counter", "1.1.0"), port, SwapRequest.standard());
    swapping.complete(outcome);

    assertThat(get(outcome)).isInstanceOf(SwapOutcome.Swapped.class);
    assertThat(announcedDuringFirstTick).containsExactly(false);
  }

  @Test
  void swap_toAPortWithoutSomeOutputs_swappedListsTheOutputsPutToSafe() throws Exception {
    FakeFieldPort oldPort = new FakeFieldPort(3, clock);
    oldPort.orphans(List.of("plc coil 3"));
    FakeFieldPort nextPort = new FakeFieldPort(3, clock);
    ScanLoop loop = loop(counter("counter", "1.0.0"), oldPort, grant, null);
    loop.start();

    SwapOutcome outcome =
        get(loop.swap(counter("other", "2.0.0"), nextPort, SwapRequest.standard()));

    assertThat(outcome).isInstanceOf(SwapOutcome.Swapped.class);
    assertThat(((SwapOutcome.Swapped) outcome).outputsToSafe()).containsExactly("plc coil 3");
    // asked before the old port closed, which is what puts them to safe
    List<String> events = oldPort.events();
    assertThat(events.indexOf("orphanedBy")).isLessThan(events.indexOf("close"));
  }

  @Test
  void swap_toALongerTickPeriod_newPeriodCountsFromTheNextSlot() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, grant, recorder);
    loop.start();
    await(() -> recorder.size() >= 10);

    SwapOutcome outcome =
        get(loop.swap(counter("counter", "1.1.0", "[2]", 20), port, SwapRequest.standard()));
    long first = ((SwapOutcome.Swapped) outcome).firstSlot();
    await(() -> recorder.ticks().getLast().slot() >= first + 10);
    loop.stop();

    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertContiguousFromZero(ticks);
    long origin = ticks.getFirst().scheduledNanos();
    long firstDue = origin + first * PERIOD_NANOS;
    for (TickRecorder.Tick t : ticks) {
      long expected =
          t.slot() <= first
              ? origin + t.slot() * PERIOD_NANOS
              : firstDue + (t.slot() - first) * 2 * PERIOD_NANOS;
      assertThat(t.scheduledNanos()).as("due time of slot %d", t.slot()).isEqualTo(expected);
      assertThat(t.level()).as("count carried at slot %d", t.slot()).isEqualTo(t.slot() + 1.0);
    }
  }

  @Test
  void swap_permitOff_heldAfterTimeoutThenSwappedOnceOn() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ControlLogic b = counter("counter", "1.1.0");
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, grant, recorder);
    port.permit(false);
    loop.start();

    SwapOutcome held =
        get(loop.swap(b, port, SwapRequest.standard().withTimeout(Duration.ofMillis(200))));

    assertThat(held)
        .isEqualTo(
            new SwapOutcome.Held("update_permit is off for the whole swap timeout of 200 ms"));
    assertThat(loop.stats().version()).isEqualTo("1.0.0");

    // the operator's override does not outrank the permit either
    SwapOutcome overridden =
        get(loop.swap(b, port, SwapRequest.operatorOverride().withTimeout(Duration.ofMillis(200))));
    assertThat(overridden).isInstanceOf(SwapOutcome.Held.class);

    CompletableFuture<SwapOutcome> waiting =
        loop.swap(b, port, SwapRequest.standard().withTimeout(Duration.ofSeconds(60)));
    int seen = recorder.size();
    await(() -> recorder.size() >= seen + 10);
    assertThat(waiting).isNotDone();
    port.permit(true);

    SwapOutcome swapped = get(waiting);
    assertThat(swapped).isInstanceOf(SwapOutcome.Swapped.class);
    long first = ((SwapOutcome.Swapped) swapped).firstSlot();
    await(() -> recorder.ticks().getLast().slot() >= first);
    loop.stop();
    List<TickRecorder.Tick> ticks = recorder.ticks();
    assertContiguousFromZero(ticks);
    assertThat(ticks.get(Math.toIntExact(first)).version()).isEqualTo("1.1.0");
    assertThat(ticks.get(Math.toIntExact(first) - 1).version()).isEqualTo("1.0.0");
  }

  @Test
  void swap_swapWhenFalse_heldThenSwappedAsSoonAsItHolds() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ControlLogic b = counter("counter", "1.1.0");
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, swapWhenGrant, recorder);
    loop.start();

    SwapOutcome held =
        get(loop.swap(b, port, SwapRequest.standard().withTimeout(Duration.ofMillis(200))));
    assertThat(held)
        .isEqualTo(
            new SwapOutcome.Held(
                "swap_when 'temp <= -10' did not hold for the whole swap timeout of 200 ms"));

    // a value that would satisfy it, but of bad quality, does not
    port.set(0, -20, ProcessImage.BAD);
    assertThat(get(loop.swap(b, port, SwapRequest.standard().withTimeout(Duration.ofMillis(200)))))
        .isInstanceOf(SwapOutcome.Held.class);

    CompletableFuture<SwapOutcome> waiting = loop.swap(b, port, SwapRequest.standard());
    int seen = recorder.size();
    await(() -> recorder.size() >= seen + 10);
    assertThat(waiting).isNotDone();
    port.set(0, -20, ProcessImage.GOOD);
    int seeing = port.firstScanSnapshotSeeingLastSet();

    SwapOutcome swapped = get(waiting);
    assertThat(swapped).isInstanceOf(SwapOutcome.Swapped.class);
    assertThat(loop.stats().version()).isEqualTo("1.1.0");
    // swapped right after the first tick that saw the condition hold
    assertThat(((SwapOutcome.Swapped) swapped).firstSlot()).isEqualTo(seeing + 1L);
    assertContiguousFromZero(recorder.ticks());
  }

  @Test
  void swap_cancelledWhileHeld_withdrawnAndNeverMade() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    TickRecorder recorder = new TickRecorder();
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, grant, recorder);
    port.permit(false);
    loop.start();

    CompletableFuture<SwapOutcome> waiting =
        loop.swap(counter("counter", "1.1.0"), port, SwapRequest.standard());
    waiting.cancel(false);
    port.permit(true);
    int seen = recorder.size();
    await(() -> recorder.size() >= seen + 10);

    assertThat(loop.stats().swaps()).isZero();
    assertThat(loop.stats().version()).isEqualTo("1.0.0");
    // withdrawn, so another request is not refused as "another swap is pending"
    assertThat(get(loop.swap(counter("counter", "1.2.0"), port, SwapRequest.standard())))
        .isInstanceOf(SwapOutcome.Swapped.class);
  }

  @Test
  void swap_operatorOverride_skipsSwapWhen() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    ScanLoop loop = loop(counter("counter", "1.0.0"), port, swapWhenGrant, null);
    loop.start();

    SwapOutcome outcome =
        get(loop.swap(counter("counter", "1.1.0"), port, SwapRequest.operatorOverride()));

    assertThat(outcome).isInstanceOf(SwapOutcome.Swapped.class);
    assertThat(loop.stats().version()).isEqualTo("1.1.0");
  }

  @Test
  void swap_whenNotRunningOrAlreadyPendingOrSameLogic_refused() throws Exception {
    FakeFieldPort port = new FakeFieldPort(3, clock);
    ControlLogic a = counter("counter", "1.0.0");
    ControlLogic b = counter("counter", "1.1.0");
    ScanLoop loop = loop(a, port, swapWhenGrant, null);

    assertThat(get(loop.swap(b, port, SwapRequest.standard())))
        .isEqualTo(new SwapOutcome.Refused("the scan loop is not running"));
    loop.start();
    assertThat(get(loop.swap(a, port, SwapRequest.standard())))
        .isEqualTo(new SwapOutcome.Refused("module 'counter' is the one already running"));
    assertThat(get(loop.swap(b, new FakeFieldPort(2), SwapRequest.standard())))
        .isEqualTo(
            new SwapOutcome.Refused(
                "the next port's process image has 2 points; module 'counter' declares 3"));

    CompletableFuture<SwapOutcome> waiting = loop.swap(b, port, SwapRequest.standard());
    assertThat(get(loop.swap(b, port, SwapRequest.standard())))
        .isEqualTo(new SwapOutcome.Refused("another swap is pending"));

    loop.stop();
    assertThat(get(waiting))
        .isEqualTo(new SwapOutcome.Refused("the scan loop stopped before the swap was made"));
    assertThat(loop.stats().swaps()).isZero();
  }

  // ---- fixtures ----

  private ControlLogic counter(String name, String version) throws IOException {
    return counter(name, version, "[1, 2]");
  }

  private ControlLogic counter(String name, String version, String acceptsState)
      throws IOException {
    return counter(name, version, acceptsState, 10);
  }

  private ControlLogic counter(String name, String version, String acceptsState, int tickMs)
      throws IOException {
    Manifest manifest = ScanFixtures.manifest(counter, name, version, acceptsState, tickMs);
    ControlLogic logic = ControlLogic.builder(counter, manifest, grant).build();
    opened.add(logic);
    return logic;
  }

  private ScanLoop loop(
      ControlLogic logic, FakeFieldPort port, Grant loopGrant, @Nullable TickRecorder recorder) {
    ScanLoop.Builder builder = ScanLoop.builder(logic, port, loopGrant).clock(clock);
    if (recorder != null) {
      builder.listener(recorder);
    }
    ScanLoop loop = builder.build();
    opened.add(loop);
    return loop;
  }

  private static SwapOutcome get(CompletableFuture<SwapOutcome> future) throws Exception {
    return future.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waited too long").isNegative();
      Thread.sleep(5);
    }
  }

  private static void assertContiguousFromZero(List<TickRecorder.Tick> ticks) {
    for (int i = 0; i < ticks.size(); i++) {
      assertThat(ticks.get(i).slot()).as("slot of tick %d", i).isEqualTo(i);
    }
  }

  /** Every slot ran at its own due time: start + slot × period, whatever ran before it. */
  private static void assertOnSchedule(List<TickRecorder.Tick> ticks) {
    long origin = ticks.getFirst().scheduledNanos() - ticks.getFirst().slot() * PERIOD_NANOS;
    for (TickRecorder.Tick t : ticks) {
      assertThat(t.scheduledNanos() - origin)
          .as("due time of slot %d", t.slot())
          .isEqualTo(t.slot() * PERIOD_NANOS);
    }
  }
}
