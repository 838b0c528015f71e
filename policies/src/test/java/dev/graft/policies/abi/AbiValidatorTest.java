package dev.graft.policies.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.graft.policies.PolicyViolationException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AbiValidatorTest {
  private static final AbiLimits LIMITS = new AbiLimits(1 << 20, 16);

  @TempDir Path workDir;
  private WatModules wat;

  @BeforeAll
  static void needsWat2Wasm() {
    WatModules.assumeWat2WasmInstalled();
  }

  @BeforeEach
  void setUp() {
    wat = new WatModules(workDir);
  }

  private ModuleShape validate(String name) throws Exception {
    return AbiValidator.validate(wat.compile(name), LIMITS);
  }

  private AbiViolationException refuse(String name) throws Exception {
    byte[] wasm = wat.compile(name);
    return catchThrowableOfType(
        AbiViolationException.class, () -> AbiValidator.validate(wasm, LIMITS));
  }

  @Test
  void validate_minimalModule_returnsItsShape() throws Exception {
    ModuleShape shape = validate("minimal");

    assertThat(shape.exports()).containsExactly("graft_tick", "memory");
    assertThat(shape.optionalExports()).isEmpty();
    assertThat(shape.imports()).isEmpty();
    assertThat(shape.initialPages()).isEqualTo(1);
    assertThat(shape.declaredMaximumPages()).isEqualTo(OptionalInt.of(2));
    assertThat(shape.maximumPages()).isEqualTo(2);
    assertThat(shape.notes()).isEmpty();
  }

  @Test
  void validate_fullReactor_listsOptionalExportsAndImports() throws Exception {
    ModuleShape shape = validate("full-reactor");

    assertThat(shape.optionalExports())
        .containsExactly(
            "_initialize",
            "graft_alloc",
            "graft_init",
            "graft_load",
            "graft_save",
            "graft_self_test");
    assertThat(shape.imports())
        .containsExactly(
            "graft.point_get",
            "graft.point_quality",
            "graft.point_set",
            "graft.log",
            "graft.metric",
            "wasi_snapshot_preview1.fd_write",
            "wasi_snapshot_preview1.clock_time_get",
            "wasi_snapshot_preview1.proc_exit");
    assertThat(shape.exports("_start")).isFalse();
    assertThat(shape.initialPages()).isEqualTo(2);
    assertThat(shape.declaredMaximumPages()).isEmpty();
    assertThat(shape.maximumPages()).isEqualTo(16);
    assertThat(shape.notes())
        .containsExactly(
            "memory declares no maximum; the runtime caps it at the grant's ceiling of 16 pages");
  }

  @Test
  void validate_maximumAboveCeiling_capsItAndSaysSo() throws Exception {
    ModuleShape shape = validate("large-maximum-memory");

    assertThat(shape.declaredMaximumPages()).isEqualTo(OptionalInt.of(1000));
    assertThat(shape.maximumPages()).isEqualTo(16);
    assertThat(shape.notes()).singleElement().asString().contains("maximum of 1000 pages");
  }

  @Test
  void validate_missingTick_isRefused() throws Exception {
    assertThat(refuse("missing-tick").violations())
        .containsExactly("required export 'graft_tick' (i64) -> i32 is missing");
  }

  @Test
  void validate_tickWithWrongSignature_namesBothSignatures() throws Exception {
    assertThat(refuse("wrong-tick-signature").violations())
        .containsExactly(
            "export 'graft_tick' has signature (i32) -> i32; graft/1 requires (i64) -> i32");
  }

  @Test
  void validate_exportsStart_isRefusedAsCommand() throws Exception {
    assertThat(refuse("exports-start").violations())
        .singleElement()
        .asString()
        .startsWith("exports '_start', so it is a WASI command")
        .contains("-mexec-model=reactor");
  }

  @Test
  void validate_startSection_isRefusedAndSaysWhy() throws Exception {
    assertThat(refuse("start-section").violations())
        .singleElement()
        .asString()
        .startsWith("has a start section (function 0)")
        .contains("cannot be checked statically");
  }

  @Test
  void validate_unknownGraftImport_namesModuleNameAndSignature() throws Exception {
    assertThat(refuse("unknown-graft-import").violations())
        .singleElement()
        .asString()
        .startsWith("import graft.modbus_write (i32, i32) -> i32 is not part of graft/1")
        .contains("point_get, point_quality, point_set, log, metric");
  }

  @Test
  void validate_graftImportWithWrongSignature_namesBothSignatures() throws Exception {
    assertThat(refuse("wrong-graft-import-signature").violations())
        .containsExactly(
            "import graft.point_set has signature (i32, f32) -> i32;"
                + " graft/1 defines point_set: (i32, f64) -> i32");
  }

  @Test
  void validate_wasiPathOpen_isOutsideTheSubset() throws Exception {
    assertThat(refuse("wasi-path-open").violations())
        .singleElement()
        .asString()
        .startsWith(
            "import wasi_snapshot_preview1.path_open"
                + " (i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32"
                + " is not in the WASI subset graft/1 allows; allowed: fd_write, fd_close");
  }

  @Test
  void validate_importFromEnv_isRefused() throws Exception {
    assertThat(refuse("env-import").violations())
        .containsExactly(
            "import env.abort (i32) -> () is from module 'env'; graft/1 modules may import only"
                + " from 'graft' and 'wasi_snapshot_preview1'");
  }

  @Test
  void validate_importedMemory_isRefused() throws Exception {
    assertThat(refuse("imported-memory").violations())
        .contains(
            "imports a memory env.memory; graft/1 modules may import only functions, and must"
                + " define their own memory, tables and globals");
  }

  @Test
  void validate_twoMemories_isRefused() throws Exception {
    assertThat(refuse("two-memories").violations())
        .containsExactly("defines 2 memories; graft/1 modules define exactly one");
  }

  @Test
  void validate_sharedMemory_isRefused() throws Exception {
    assertThat(refuse("shared-memory").violations())
        .containsExactly("memory is shared; graft/1 modules are single-threaded");
  }

  @Test
  void validate_memory64_isRefusedByTheParser() throws Exception {
    assertThat(refuse("memory64").violations())
        .singleElement()
        .asString()
        .startsWith("module is not valid WebAssembly: ")
        .contains("invalid memory limit");
  }

  @Test
  void validate_noMemory_isRefused() throws Exception {
    assertThat(refuse("no-memory").violations())
        .containsExactly(
            "required export 'memory' is missing; the host reads and writes the module's memory"
                + " through it",
            "defines no memory; graft/1 modules define exactly one and export it");
  }

  @Test
  void validate_initialPagesAboveCeiling_isRefused() throws Exception {
    assertThat(refuse("large-initial-memory").violations())
        .containsExactly("memory declares 32 initial pages, above the grant's ceiling of 16 pages");
  }

  @Test
  void validate_initialPagesAtCeiling_isAccepted() throws Exception {
    byte[] wasm = wat.compile("large-initial-memory");

    assertThat(AbiValidator.validate(wasm, new AbiLimits(1 << 20, 32)).initialPages())
        .isEqualTo(32);
  }

  @Test
  void validate_loadWithoutAlloc_isRefused() throws Exception {
    assertThat(refuse("load-without-alloc").violations())
        .singleElement()
        .asString()
        .startsWith("exports 'graft_load' without 'graft_alloc'");
  }

  @Test
  void validate_severalViolations_namesEveryOne() throws Exception {
    AbiViolationException refused = refuse("many-violations");

    assertThat(refused.violations())
        .hasSize(5)
        .anySatisfy(v -> assertThat(v).startsWith("import env.abort (i32) -> ()"))
        .anySatisfy(v -> assertThat(v).startsWith("import wasi_snapshot_preview1.sock_accept"))
        .anySatisfy(v -> assertThat(v).startsWith("required export 'graft_tick'"))
        .anySatisfy(v -> assertThat(v).startsWith("exports '_start'"))
        .anySatisfy(v -> assertThat(v).startsWith("has a start section"));
    assertThat(refused).hasMessageStartingWith("module breaks ABI graft/1 (5 violations):");
    for (String violation : refused.violations()) {
      assertThat(refused.getMessage()).contains(violation);
    }
  }

  @Test
  void validate_malformedBytes_keepsTheParsersMessage() {
    byte[] notWasm = "not a wasm module".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> AbiValidator.validate(notWasm, LIMITS))
        .isInstanceOf(AbiViolationException.class)
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("module is not valid WebAssembly: ")
        .hasMessageContaining("magic");
  }

  @Test
  void validate_truncatedModule_isRefused() throws Exception {
    byte[] wasm = wat.compile("minimal");
    byte[] truncated = Arrays.copyOf(wasm, wasm.length - 3);

    assertThat(
            catchThrowableOfType(
                    AbiViolationException.class, () -> AbiValidator.validate(truncated, LIMITS))
                .violations())
        .singleElement()
        .asString()
        .startsWith("module is not valid WebAssembly: ");
  }

  @Test
  void validate_moduleAboveSizeCap_isRefusedBeforeParsing() throws Exception {
    byte[] wasm = wat.compile("minimal");
    var tight = new AbiLimits(wasm.length - 1, 16);

    assertThatThrownBy(() -> AbiValidator.validate(wasm, tight))
        .isInstanceOf(AbiViolationException.class)
        .hasMessageContaining(
            "module is " + wasm.length + " bytes, above the limit of " + (wasm.length - 1));
    assertThat(AbiValidator.validate(wasm, new AbiLimits(wasm.length, 16)).exports())
        .contains("graft_tick");
  }

  @Test
  void abiLimits_outOfRange_isRejected() {
    assertThatThrownBy(() -> new AbiLimits(0, 16)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AbiLimits(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AbiLimits(1, 65_537)).isInstanceOf(IllegalArgumentException.class);
  }
}
