package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.policies.Grant;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A module whose {@code graft_tick} is too large to become one JVM method (64 KiB of bytecode):
 * refused without the interpreter fallback, run by Chicory's interpreter with it.
 *
 * <p>The module is encoded here rather than written in WAT: its body is tens of thousands of
 * instructions.
 */
class InterpreterFallbackTest {
  /**
   * Increments, then as many decrements, of a local: each pair of wasm instructions becomes a few
   * bytes of JVM bytecode, so 2 × 12,000 of them are well past the 64 KiB method limit.
   */
  private static final int STEPS = 12_000;

  private Grant grant;

  @BeforeEach
  void setUp() throws Exception {
    // The interpreter runs the 48,000 instructions of a tick about 60× slower than compiled code,
    // and the first tick also loads it: far more than the site's 50 ms, which is not under test.
    grant = Fixtures.grantWithTickBudget(5_000_000);
  }

  @Test
  void build_hugeFunctionWithoutFallback_refusedNamingTheFunction() throws Exception {
    byte[] wasm = hugeTickModule(STEPS);
    ControlLogic.Builder builder = ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant);

    assertThatThrownBy(builder::build)
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageContaining("module 'test-logic' cannot be compiled")
        .hasMessageContaining("exceeds the Java method size limits")
        .hasMessageContaining("WASM function index: 1")
        .hasMessageContaining("interpreter fallback");
  }

  @Test
  void tick_hugeFunctionWithFallback_runsInTheInterpreterAndCounts() throws Exception {
    byte[] wasm = hugeTickModule(STEPS);
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant)
            .interpreterFallback(true)
            .build()) {
      // Each tick adds 1 plus the net of the increments and decrements (0) to a global and sets it
      // as output 2: any mis-executed step shows up in the value.
      assertThat(logic.tick(0, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 1.0)));
      assertThat(logic.tick(100, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 2.0)));
      assertThat(logic.tick(200, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 3.0)));
      assertThat(logic.faults()).isZero();
    }
  }

  @Test
  void tick_smallFunctionWithoutFallback_compiledAndCounts() throws Exception {
    // The same module with few steps compiles whole: the refusal above is about size alone.
    byte[] wasm = hugeTickModule(10);
    try (ControlLogic logic = ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).build()) {
      assertThat(logic.tick(0, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 1.0)));
      assertThat(logic.tick(100, Fixtures.inputs(0))).isEqualTo(ok(Map.of(2, 2.0)));
    }
  }

  private static TickResult ok(Map<Integer, Double> outputs) {
    return ControlLogicTest.ok(outputs);
  }

  /**
   * A graft/1 module: imports {@code graft.point_set}, one page of memory, an i64 global, and
   * {@code graft_tick(now)} that counts {@code steps} up and down in a local, adds 1 and the local
   * to the global and sets output 2 to it.
   */
  static byte[] hugeTickModule(int steps) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
    // Types: 0 = (i32, f64) -> i32 for point_set, 1 = (i64) -> i32 for graft_tick.
    section(out, 1, bytes(0x02, 0x60, 0x02, 0x7f, 0x7c, 0x01, 0x7f, 0x60, 0x01, 0x7e, 0x01, 0x7f));
    var imports = new ByteArrayOutputStream();
    imports.write(0x01);
    name(imports, "graft");
    name(imports, "point_set");
    imports.writeBytes(bytes(0x00, 0x00));
    section(out, 2, imports.toByteArray());
    section(out, 3, bytes(0x01, 0x01));
    section(out, 5, bytes(0x01, 0x00, 0x01));
    section(out, 6, bytes(0x01, 0x7e, 0x01, 0x42, 0x00, 0x0b));
    var exports = new ByteArrayOutputStream();
    exports.write(0x02);
    name(exports, "memory");
    exports.writeBytes(bytes(0x02, 0x00));
    name(exports, "graft_tick");
    exports.writeBytes(bytes(0x00, 0x01));
    section(out, 7, exports.toByteArray());

    var body = new ByteArrayOutputStream();
    body.writeBytes(bytes(0x01, 0x01, 0x7f)); // one i32 local (index 1)
    for (int i = 0; i < steps; i++) {
      body.writeBytes(bytes(0x20, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01)); // acc = acc + 1
    }
    for (int i = 0; i < steps; i++) {
      body.writeBytes(bytes(0x20, 0x01, 0x41, 0x01, 0x6b, 0x21, 0x01)); // acc = acc - 1
    }
    // global0 = global0 + 1 + (i64) acc
    body.writeBytes(bytes(0x23, 0x00, 0x42, 0x01, 0x7c, 0x20, 0x01, 0xac, 0x7c, 0x24, 0x00));
    // drop(point_set(2, (f64) global0)); return 0
    body.writeBytes(bytes(0x41, 0x02, 0x23, 0x00, 0xb9, 0x10, 0x00, 0x1a, 0x41, 0x00, 0x0b));
    var code = new ByteArrayOutputStream();
    code.write(0x01);
    leb(code, body.size());
    code.writeBytes(body.toByteArray());
    section(out, 10, code.toByteArray());

    return out.toByteArray();
  }

  private static void section(ByteArrayOutputStream out, int id, byte[] content) {
    out.write(id);
    leb(out, content.length);
    out.writeBytes(content);
  }

  private static void name(ByteArrayOutputStream out, String name) {
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    leb(out, utf8.length);
    out.writeBytes(utf8);
  }

  private static void leb(ByteArrayOutputStream out, int value) {
    int rest = value;
    do {
      int b = rest & 0x7f;
      rest >>>= 7;
      out.write(rest == 0 ? b : b | 0x80);
    } while (rest != 0);
  }

  private static byte[] bytes(int... values) {
    byte[] result = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = (byte) values[i];
    }
    return result;
  }
}
