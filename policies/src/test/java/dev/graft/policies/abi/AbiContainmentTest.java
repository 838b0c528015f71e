package dev.graft.policies.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validator's half of containment (issue #13, items 1 and 2): WebAssembly proposals graft/1
 * does not need are refused by name, and what an instance makes the host allocate besides its
 * memory (tables, element segments, globals, functions) is checked against the grant's ceilings.
 */
class AbiContainmentTest {
  private static final AbiLimits LIMITS = new AbiLimits(1 << 20, 16);
  private static final AbiLimits TIGHT = new AbiLimits(1 << 20, 16, 16, 8, 8, 8);

  /**
   * {@code (type $bytes (array (mut i8)))} and a {@code graft_tick} that runs {@code
   * array.new_default $bytes 500000000}: 500 MB of JVM heap under a 2-page memory grant, before any
   * tick budget notices. Hand-assembled: wabt 1.0.32 cannot write GC modules.
   */
  static final byte[] GC_HEAP_BOMB =
      HexFormat.of()
          .parseHex(
              "0061736d010000000109025e780160017e017f030201010503010002071702066d656d6f7279"
                  + "02000a67726166745f7469636b00000a10010e004180cab5ee01fb07001a41000b");

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

  private AbiViolationException refuse(String name, AbiLimits limits) throws Exception {
    byte[] wasm = wat.compile(name);
    return catchThrowableOfType(
        AbiViolationException.class, () -> AbiValidator.validate(wasm, limits));
  }

  @Test
  void validate_gcArrayHeapBomb_refusedNamingGc() {
    AbiViolationException e =
        catchThrowableOfType(
            AbiViolationException.class, () -> AbiValidator.validate(GC_HEAP_BOMB, LIMITS));

    assertThat(e).isNotNull();
    assertThat(e.violations())
        .singleElement()
        .asString()
        .startsWith("uses the GC proposal (type 0 is a struct or array type)");
  }

  @Test
  void validate_tailCall_refusedNamingTheProposal() throws Exception {
    assertThat(refuse("tail-call", LIMITS).violations())
        .singleElement()
        .asString()
        .startsWith("uses the tail call proposal (function 1 uses return_call)");
  }

  @Test
  void validate_atomics_refusedAsThreads() throws Exception {
    assertThat(refuse("atomics", LIMITS).violations())
        .singleElement()
        .asString()
        .startsWith("uses the threads proposal (function 0 uses i32_atomic_rmw_add)");
  }

  @Test
  void validate_simd_refusedNamingSimd() throws Exception {
    assertThat(refuse("simd", LIMITS).violations())
        .singleElement()
        .asString()
        .startsWith("uses the SIMD proposal (function 0's locals has a v128 value)");
  }

  @Test
  void validate_exceptions_refusedNamingTheProposal() throws Exception {
    assertThat(refuse("exceptions", LIMITS).violations())
        .singleElement()
        .asString()
        .startsWith("uses the exception handling proposal (the module defines tags)");
  }

  @Test
  void validate_externrefTableAndGlobal_refusedAsReferenceTypes() throws Exception {
    assertThat(refuse("externref-table", LIMITS).violations())
        .anySatisfy(v -> assertThat(v).startsWith("uses the reference types proposal (global 0"))
        .anySatisfy(v -> assertThat(v).startsWith("table 0 holds externref"));
  }

  @Test
  void validate_twoTables_refused() throws Exception {
    assertThat(refuse("two-tables", LIMITS).violations())
        .singleElement()
        .asString()
        .startsWith("defines 2 tables; graft/1 allows one funcref table");
  }

  @Test
  void validate_tableAboveCeiling_refusedNamingTheCeiling() throws Exception {
    assertThat(refuse("huge-table", LIMITS).violations())
        .containsExactly(
            "table 0 declares 10000000 initial entries, above the grant's ceiling of 10000"
                + " (ceilings.table_entries)");
  }

  @Test
  void validate_funcrefTableWithGrowAndNoMaximum_acceptedAndCapNoted() throws Exception {
    ModuleShape shape = AbiValidator.validate(wat.compile("funcref-table"), TIGHT);

    assertThat(shape.notes())
        .contains(
            "table 0 may grow beyond the grant's ceiling of 16 entries; the runtime caps it there");
  }

  @Test
  void validate_globalsAboveCeiling_refused() throws Exception {
    assertThat(refuse("many-globals", TIGHT).violations())
        .containsExactly("defines 9 globals, above the grant's ceiling of 8 (ceilings.globals)");
  }

  @Test
  void validate_functionsAndElementsAboveCeilings_refused() throws Exception {
    assertThat(refuse("many-functions", TIGHT).violations())
        .containsExactly(
            "element segments hold 9 entries, above the grant's ceiling of 8"
                + " (ceilings.element_entries)",
            "has 9 functions, above the grant's ceiling of 8 (ceilings.functions)");
  }

  @Test
  void validate_sameModulesUnderDefaultCeilings_accepted() throws Exception {
    AbiValidator.validate(wat.compile("many-globals"), LIMITS);
    AbiValidator.validate(wat.compile("many-functions"), LIMITS);
    AbiValidator.validate(wat.compile("funcref-table"), LIMITS);
  }
}
