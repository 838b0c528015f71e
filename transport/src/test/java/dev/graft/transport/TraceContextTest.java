package dev.graft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {
  // The example of the W3C Trace Context recommendation, section 3.2.
  private static final String EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void parse_w3cExample_readsEveryField() {
    TraceContext trace = TraceContext.parse(EXAMPLE).orElseThrow();

    assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(trace.parentId()).isEqualTo("00f067aa0ba902b7");
    assertThat(trace.flags()).isEqualTo("01");
    assertThat(trace.sampled()).isTrue();
    assertThat(trace.header()).isEqualTo(EXAMPLE);
  }

  @Test
  void parse_notSampled_readsFlags() {
    TraceContext trace = TraceContext.parse(EXAMPLE.replaceFirst("-01$", "-00")).orElseThrow();

    assertThat(trace.sampled()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00",
        // another version (a future version may be longer; only 00 is read)
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // too long or too short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        // uppercase hex
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        // not hex
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
        // all-zero ids
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        // wrong separators, same length
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e47-3600f067aa0ba902b7-01",
        // a sign or a non-ASCII digit where hex is expected
        "00-+bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-٤bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      })
  void parse_malformed_isEmpty(String value) {
    assertThat(TraceContext.parse(value)).isEmpty();
  }

  @Test
  void parse_null_isEmpty() {
    assertThat(TraceContext.parse(null)).isEmpty();
  }

  @Test
  void newRoot_header_parsesBackToTheSameContext() {
    RandomGenerator random = new SplittableRandom(7);
    for (int i = 0; i < 100; i++) {
      TraceContext root = TraceContext.newRoot(random);

      assertThat(root.header()).hasSize(55).startsWith("00-").endsWith("-01");
      assertThat(TraceContext.parse(root.header())).contains(root);
    }
  }

  @Test
  void newRoot_generatorReturnsZerosFirst_drawsAgainUntilNonZero() {
    RandomGenerator zerosThenOnes = new Sequence(0, 0, 0, 1, 0, 3);

    TraceContext root = TraceContext.newRoot(zerosThenOnes);

    assertThat(root.traceId()).isNotEqualTo("0".repeat(32));
    assertThat(root.parentId()).isEqualTo("0000000000000003");
  }

  @Test
  void child_keepsTraceAndFlags_newParentId() {
    TraceContext parent = TraceContext.parse(EXAMPLE).orElseThrow();

    TraceContext child = parent.child(new SplittableRandom(3));

    assertThat(child.traceId()).isEqualTo(parent.traceId());
    assertThat(child.flags()).isEqualTo(parent.flags());
    assertThat(child.parentId()).isNotEqualTo(parent.parentId()).matches("[0-9a-f]{16}");
    assertThat(TraceContext.parse(child.header())).contains(child);
  }

  @Test
  void constructor_uppercaseTraceId_refusedWithTheRule() {
    assertThatThrownBy(
            () -> new TraceContext("4BF92F3577B34DA6A3CE929D0E0E4736", "00f067aa0ba902b7", "01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 lowercase hex digits, not all zero");
  }

  /** Returns the given longs in turn, then repeats the last. */
  private static final class Sequence implements RandomGenerator {
    private final long[] values;
    private int next;

    Sequence(long... values) {
      this.values = values;
    }

    @Override
    public long nextLong() {
      long value = values[Math.min(next, values.length - 1)];
      next++;
      return value;
    }
  }
}
