package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.Instance;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.abi.WatModules;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreflightAndCacheTest {
  @TempDir Path workDir;

  private WatModules wat;
  private Grant grant;

  @BeforeAll
  static void wat2wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() throws Exception {
    wat = new WatModules(workDir, "wat");
    grant = Fixtures.grant();
  }

  @Test
  void preflight_healthyModule_passesAndDiscardsOutputs() throws Exception {
    byte[] wasm = wat.compile("counter");
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm, "boiler", true), grant).build()) {
      PreflightReport report = logic.preflight(ControlLogicTest.images(3));

      assertThat(report.passed()).isTrue();
      assertThat(report.selfTest()).isEqualTo("passed");
      assertThat(report.stateRoundTrip()).isEqualTo("passed (8 bytes)");
      assertThat(report.shadowTicks())
          .containsExactly(
              ControlLogicTest.ok(java.util.Map.of(2, 1.0)),
              ControlLogicTest.ok(java.util.Map.of(2, 2.0)),
              ControlLogicTest.ok(java.util.Map.of(2, 3.0)));
      assertThat(logic.lastOutputs()).isEmpty();
    }
  }

  @Test
  void preflight_shadowTicksThenTick_firstTickStartsFromGraftInit() throws Exception {
    byte[] wasm = wat.compile("counter");
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm, "boiler", true), grant).build()) {
      assertThat(logic.preflight(ControlLogicTest.images(3)).passed()).isTrue();

      // the counter counted 1, 2, 3 in the shadow ticks; the live instance counts from its init
      assertThat(logic.tick(100, Fixtures.inputs(0)))
          .isEqualTo(ControlLogicTest.ok(java.util.Map.of(2, 1.0)));
      assertThat(logic.faults()).isZero();
    }
  }

  @Test
  void preflight_afterLoad_liveInstanceKeepsLoadedStateNotShadowTicks() throws Exception {
    byte[] wasm = wat.compile("counter");
    Manifest manifest = Fixtures.manifest(wasm, "boiler", true);
    try (ControlLogic running = ControlLogic.builder(wasm, manifest, grant).build();
        ControlLogic next = ControlLogic.builder(wasm, manifest, grant).build()) {
      for (int i = 0; i < 5; i++) {
        running.tick(100L * i, Fixtures.inputs(0));
      }
      assertThat(next.load(running.save().orElseThrow())).isEqualTo(new StateLoad.Loaded(8));
      assertThat(next.preflight(ControlLogicTest.images(3)).passed()).isTrue();

      // the loaded count was 5; the shadow ticks took it to 8, which must not go live
      assertThat(next.tick(600, Fixtures.inputs(0)))
          .isEqualTo(ControlLogicTest.ok(java.util.Map.of(2, 6.0)));
    }
  }

  @Test
  void preflight_selfTestFails_reportedNotPassed() throws Exception {
    byte[] wasm = wat.compile("selftest-fails");
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm, "boiler", true), grant).build()) {
      PreflightReport report = logic.preflight(ControlLogicTest.images(2));

      assertThat(report.passed()).isFalse();
      assertThat(report.selfTest()).isEqualTo("failed: NONZERO_RETURN: graft_self_test returned 3");
      assertThat(report.faults()).isEmpty();
    }
  }

  @Test
  void preflight_moduleRefusesItsOwnState_reportedNotPassedAndLiveInstanceFresh() throws Exception {
    byte[] wasm = wat.compile("load-refuses");
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm, "boiler", true), grant).build()) {
      PreflightReport report = logic.preflight(ControlLogicTest.images(2));

      assertThat(report.passed()).isFalse();
      assertThat(report.selfTest()).isEqualTo("passed");
      assertThat(report.faults()).isEmpty();
      assertThat(report.stateRoundTrip())
          .isEqualTo("failed: NONZERO_RETURN: graft_load returned 5");
      // the refusal was contained: the next tick runs on a fresh instance from graft_init
      assertThat(logic.tick(100, Fixtures.inputs(0)))
          .isEqualTo(ControlLogicTest.ok(java.util.Map.of(2, 1.0)));
    }
  }

  @Test
  void preflight_moduleWithoutState_roundTripNotExported() throws Exception {
    byte[] wasm = wat.compile("selftest-fails");
    try (ControlLogic logic = ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).build()) {
      assertThat(logic.preflight(ControlLogicTest.images(1)).stateRoundTrip())
          .isEqualTo("not exported");
    }
  }

  @Test
  void preflight_shadowTickTraps_reportedNotPassed() throws Exception {
    byte[] wasm = wat.compile("runaway");
    try (ControlLogic logic = ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).build()) {
      PreflightReport report =
          logic.preflight(java.util.List.of(Fixtures.inputs(0), Fixtures.inputs(3)));

      assertThat(report.passed()).isFalse();
      assertThat(report.selfTest()).isEqualTo("not requested");
      assertThat(report.faults())
          .extracting(TickResult.Fault::kind)
          .containsExactly(FaultKind.TRAP);
    }
  }

  @Test
  void build_sameBytesTwice_secondIsCacheHit() throws Exception {
    byte[] wasm = wat.compile("counter");
    Manifest manifest = Fixtures.manifest(wasm);
    CompiledModuleCache cache = CompiledModuleCache.withCapacity(4);

    try (ControlLogic first = ControlLogic.builder(wasm, manifest, grant).cache(cache).build();
        ControlLogic second = ControlLogic.builder(wasm, manifest, grant).cache(cache).build()) {
      assertThat(cache.misses()).isEqualTo(1);
      assertThat(cache.hits()).isEqualTo(1);
      // separate instances: the second counts from its own start
      first.tick(100, Fixtures.inputs(0));
      assertThat(second.tick(100, Fixtures.inputs(0)))
          .isEqualTo(ControlLogicTest.ok(java.util.Map.of(2, 1.0)));
    }
  }

  @Test
  void cache_capacityOne_evictsLeastRecentlyUsed() throws Exception {
    byte[] a = wat.compile("counter");
    byte[] b = wat.compile("grow");
    CompiledModuleCache cache = CompiledModuleCache.withCapacity(1);

    for (byte[] wasm : new byte[][] {a, b, a}) {
      ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).cache(cache).build().close();
    }

    assertThat(cache.misses()).isEqualTo(3);
    assertThat(cache.hits()).isZero();
    assertThat(cache.size()).isEqualTo(1);
  }

  /** Prints the P3 figures; timings vary too much on a shared machine to assert. */
  @Test
  void timing_warmInstantiateAndCachedLoad_printed() throws Exception {
    byte[] wasm = wat.compile("counter");
    Manifest manifest = Fixtures.manifest(wasm);
    CompiledModuleCache cache = CompiledModuleCache.withCapacity(4);
    ControlLogic.builder(wasm, manifest, grant).cache(cache).build().close();
    CompiledModuleCache.Compiled compiled =
        cache.get(
            java.util.HexFormat.of().parseHex(Fixtures.sha256(wasm)),
            false,
            () -> {
              throw new AssertionError("unused");
            });
    int rounds = 31;

    long[] instantiate = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      GraftImports imports =
          new GraftImports(
              manifest,
              grant,
              line -> {},
              new AtomicLong(),
              new AtomicLong(),
              new AtomicLong(),
              GraftImports.newMetrics());
      long started = System.nanoTime();
      Instance instance =
          Instance.builder(compiled.module())
              .withImportValues(imports.importValues(imports.wasi()))
              .withMachineFactory(compiled.machines())
              .withStart(false)
              .build();
      instance.export("graft_init").apply();
      instantiate[i] = System.nanoTime() - started;
    }

    long[] cachedLoad = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long started = System.nanoTime();
      ControlLogic.builder(wasm, manifest, grant).cache(cache).build().close();
      cachedLoad[i] = System.nanoTime() - started;
    }

    System.out.printf(
        "P3 warm instantiate + graft_init median %.3f ms; load with cache hit (validate,"
            + " instantiate, init on the worker) median %.3f ms%n",
        median(instantiate) / 1e6, median(cachedLoad) / 1e6);
    assertThat(cache.hits()).isEqualTo(rounds + 1);
  }

  private static double median(long[] samples) {
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
