package dev.graft.gateway.runtime;

import static dev.graft.gateway.runtime.ControlLogicTest.ok;
import static dev.graft.gateway.runtime.ControlLogicTest.tickAfterReplacement;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.policies.Grant;
import dev.graft.policies.abi.WatModules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateHandoverTest {
  @TempDir Path workDir;

  private byte[] counter;
  private Grant grant;

  @BeforeAll
  static void wat2wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() throws Exception {
    counter = new WatModules(workDir, "wat").compile("counter");
    grant = Fixtures.grant();
  }

  private ControlLogic counter(String name) throws IOException {
    return ControlLogic.builder(counter, Fixtures.manifest(counter, name, false), grant).build();
  }

  @Test
  void save_thenLoadIntoNewInstance_counterCarriedAcross() throws Exception {
    SavedState state;
    try (ControlLogic old = counter("boiler")) {
      for (int t = 1; t <= 3; t++) {
        old.tick(t * 100L, Fixtures.inputs(0));
      }
      state = old.save().orElseThrow();
    }
    assertThat(state.moduleName()).isEqualTo("boiler");
    assertThat(state.stateVersion()).isEqualTo(2);
    assertThat(ByteBuffer.wrap(state.blob()).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(3);

    try (ControlLogic next = counter("boiler")) {
      assertThat(next.load(state)).isEqualTo(new StateLoad.Loaded(8));
      assertThat(next.tick(400, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 4.0)));
    }
  }

  @Test
  void load_stateOfOtherModule_skippedWithReason() throws Exception {
    SavedState foreign = new SavedState("chiller", 2, new byte[8]);
    try (ControlLogic logic = counter("boiler")) {
      assertThat(logic.load(foreign))
          .isEqualTo(new StateLoad.Skipped("state is from module 'chiller', this is 'boiler'"));
      assertThat(logic.tick(100, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 1.0)));
    }
  }

  @Test
  void load_versionNotAccepted_skippedWithReason() throws Exception {
    SavedState v3 = new SavedState("boiler", 3, new byte[8]);
    try (ControlLogic logic = counter("boiler")) {
      assertThat(logic.load(v3))
          .isEqualTo(new StateLoad.Skipped("state version 3 is not in accepts_state [1, 2]"));
    }
  }

  @Test
  void load_blobTheModuleRejects_failedAndInstanceReplaced() throws Exception {
    SavedState wrongLength = new SavedState("boiler", 1, new byte[5]);
    try (ControlLogic logic = counter("boiler")) {
      StateLoad result = logic.load(wrongLength);

      assertThat(result)
          .isEqualTo(
              new StateLoad.Failed(
                  new TickResult.Fault(FaultKind.NONZERO_RETURN, "graft_load returned 1")));
      assertThat(tickAfterReplacement(logic, 100, Fixtures.inputs(0)).result())
          .isEqualTo(ok(Map.of(2, 1.0)));
      assertThat(logic.instancesCreated()).isEqualTo(2);
    }
  }

  @Test
  void tick_trapAfterSave_replacementResumesFromSavedState() throws Exception {
    try (ControlLogic logic = counter("boiler")) {
      for (int t = 1; t <= 3; t++) {
        logic.tick(t * 100L, Fixtures.inputs(0));
      }
      Optional<SavedState> saved = logic.save();
      assertThat(saved).isPresent();
      logic.tick(400, Fixtures.inputs(0));

      assertThat(logic.tick(500, Fixtures.inputs(1))).isInstanceOf(TickResult.Fault.class);

      // the count saved was 3; the 4th tick after it is lost with the trapped instance
      assertThat(tickAfterReplacement(logic, 600, Fixtures.inputs(0)).result())
          .isEqualTo(ok(Map.of(2, 4.0)));
    }
  }
}
