package dev.graft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the built compute.wasm under Node.js (an engine independent of this project) and compares
 * its checksum with the same kernel written in Java here: proof that the build produced working
 * code, not just bytes that validate.
 */
class ComputeChecksumTest {

  private static final Pattern CHECKSUM = Pattern.compile("\"checksum\":\"(-?[0-9]+)\"");
  private static final int N = 32;

  @BeforeAll
  static void needsNode() {
    NodeDriver.assumeNode("ComputeChecksumTest");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 7, 250})
  void compute_underNode_matchesTheJavaKernel(int rounds) {
    long fromWasm = runUnderNode(rounds);

    assertThat(fromWasm).isEqualTo(checksum(rounds));
  }

  @Test
  void checksum_differentRounds_differ() {
    // guards the comparison above: a kernel that ignored its input would still "match"
    assertThat(List.of(checksum(1), checksum(2), checksum(7)))
        .doesNotHaveDuplicates()
        .doesNotContain(0L);
  }

  private static long runUnderNode(int rounds) {
    Path harness = BuiltExamples.sourceDirectory().resolve("compute/run-node.mjs");
    Path wasm = BuiltExamples.wasmDirectory().resolve("compute.wasm");
    assertThat(wasm).as("built by examples/build.sh").isRegularFile();
    String output =
        NodeDriver.run(
            List.of(
                NodeDriver.NODE.toString(),
                harness.toString(),
                wasm.toString(),
                Integer.toString(rounds)));
    Matcher matcher = CHECKSUM.matcher(output);
    assertThat(matcher.find()).as("checksum in node's output: %s", output).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  /** The kernel of examples/compute/compute.c, in Java: int arithmetic wraps as uint32_t does. */
  static long checksum(int rounds) {
    int[] a = new int[N * N];
    int[] b = new int[N * N];
    int[] c = new int[N * N];
    int seed = 0x9E3779B9;
    for (int i = 0; i < N * N; i++) {
      seed = seed * 1664525 + 1013904223;
      a[i] = seed >>> 8;
      seed = seed * 1664525 + 1013904223;
      b[i] = seed >>> 8;
    }
    long checksum = 0;
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
          int sum = 0;
          for (int k = 0; k < N; k++) {
            sum += a[i * N + k] * b[k * N + j];
          }
          c[i * N + j] = sum;
        }
      }
      for (int i = 0; i < N * N; i++) {
        checksum = checksum * 31 + Integer.toUnsignedLong(c[i]);
        a[i] = c[i] ^ r;
      }
    }
    return checksum;
  }
}
