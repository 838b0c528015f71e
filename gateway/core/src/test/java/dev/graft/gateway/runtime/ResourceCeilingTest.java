package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.abi.WatModules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-time half of the resource ceilings (issue #13, items 2 and 7): a table grows only up to
 * the grant's ceiling and only in its own instance, and a manifest's own limits hold where they are
 * tighter than the grant's.
 */
class ResourceCeilingTest {
  @TempDir Path workDir;

  private WatModules wat;

  @BeforeAll
  static void wat2wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() {
    wat = new WatModules(workDir, "wat");
  }

  private static Grant grantWith(String ceilings) throws IOException {
    Grant base = Fixtures.grant();
    String yaml =
        new String(
            ResourceCeilingTest.class.getResourceAsStream("/runtime/site.yaml").readAllBytes(),
            StandardCharsets.UTF_8);
    assertThat(base.ceilings().memoryPages()).isEqualTo(2);
    return Grant.parse(
        yaml.replace("  memory_pages: 2\n", "  memory_pages: 2\n" + ceilings)
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void tableGrow_beyondTheGrantsCeiling_returnsMinusOne() throws Exception {
    byte[] wasm = wat.compile("table-grow");
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), grantWith("  table_entries: 1500\n"))
            .build()) {
      assertThat(logic.tick(100, Fixtures.inputs(0))).isInstanceOf(TickResult.Ok.class);
      assertThat(logic.metrics()).containsEntry("grew", 1.0).containsEntry("table", 1001.0);

      assertThat(logic.tick(200, Fixtures.inputs(0))).isInstanceOf(TickResult.Ok.class);
      assertThat(logic.metrics()).containsEntry("grew", -1.0).containsEntry("table", 1001.0);
    }
  }

  @Test
  void tableGrow_inOneInstance_freshInstanceStartsFromTheDeclaredSize() throws Exception {
    byte[] wasm = wat.compile("table-grow");
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), grantWith("  table_entries: 5000\n"))
            .build()) {
      for (int i = 1; i <= 3; i++) {
        assertThat(logic.tick(100L * i, Fixtures.inputs(0))).isInstanceOf(TickResult.Ok.class);
      }
      assertThat(logic.metrics()).containsEntry("table", 3001.0);

      // a trap replaces the instance; Chicory's table.grow used to grow the parsed module's
      // limits, so each fresh instance started with the last one's table (0, 1k, 2k, 3k, ...)
      assertThat(logic.tick(400, Fixtures.inputs(1))).isInstanceOf(TickResult.Fault.class);
      TickResult next = tickUntilReplaced(logic, 500);

      assertThat(next).isInstanceOf(TickResult.Ok.class);
      assertThat(logic.metrics()).containsEntry("grew", 1.0).containsEntry("table", 1001.0);
    }
  }

  @Test
  void build_manifestMemoryBelowGrant_manifestLimitApplies() throws Exception {
    byte[] wasm = wat.compile("grow-max");
    Manifest manifest = withLimits(wasm, 1, 50_000);
    try (ControlLogic logic = ControlLogic.builder(wasm, manifest, Fixtures.grant()).build()) {
      assertThat(logic.memoryLimits().maximumPages()).isEqualTo(1);
    }
  }

  @Test
  void build_manifestMemoryBelowModulesInitialPages_refused() throws Exception {
    byte[] wasm = wat.compile("two-pages");
    Manifest manifest = withLimits(wasm, 1, 50_000);

    assertThatThrownBy(() -> ControlLogic.builder(wasm, manifest, Fixtures.grant()).build())
        .hasMessageContaining("above the grant's ceiling of 1 pages");
  }

  @Test
  void build_manifestTickBudgetBelowGrant_manifestBudgetApplies() throws Exception {
    byte[] wasm = wat.compile("counter");
    Manifest manifest = withLimits(wasm, 2, 1_500);
    try (ControlLogic logic = ControlLogic.builder(wasm, manifest, Fixtures.grant()).build()) {
      assertThat(logic.tickBudgetUs()).isEqualTo(1_500);
    }
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), Fixtures.grant()).build()) {
      assertThat(logic.tickBudgetUs()).isEqualTo(50_000);
    }
  }

  private static Manifest withLimits(byte[] wasm, int pages, long budgetUs) throws IOException {
    Manifest base = Fixtures.manifest(wasm);
    String json =
        new String(
                ResourceCeilingTest.class
                    .getResourceAsStream("/runtime/manifest.json")
                    .readAllBytes(),
                StandardCharsets.UTF_8)
            .replace("NAME", base.name())
            .replace("SHA256", base.module().sha256())
            .replace("SELF_TEST", "false")
            .replace(
                "\"limits\": {\"memory_pages\": 2, \"tick_budget_us\": 5000000}",
                "\"limits\": {\"memory_pages\": "
                    + pages
                    + ", \"tick_budget_us\": "
                    + budgetUs
                    + "}");
    assertThat(json).contains("\"tick_budget_us\": " + budgetUs);
    return Manifest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Ticks until the replacement instance is up (a tick meanwhile is a budget fault). */
  private static TickResult tickUntilReplaced(ControlLogic logic, long nowMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    TickResult result = logic.tick(nowMs, Fixtures.inputs(0));
    while (result instanceof TickResult.Fault && System.nanoTime() < deadline) {
      Thread.sleep(10);
      result = logic.tick(nowMs, Fixtures.inputs(0));
    }
    return result;
  }
}
