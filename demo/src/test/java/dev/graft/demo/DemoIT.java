package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole demo in this process, against a real mosquitto, the simulated site's real Modbus TCP
 * and CoAP over DTLS servers, and the example modules built from source.
 */
class DemoIT {
  @TempDir Path temp;

  @Test
  void run_agentSwapsLiveWithoutMissedTicks_refusesEveryAttack_rollsBackTheFaultyRelease()
      throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Path wasm = Path.of(System.getProperty("graft.examples.wasm", "../examples/target/wasm"));

    Demo.Outcome outcome;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      outcome =
          Demo.run(
              new Demo.Settings(temp.resolve("demo"), wasm, Duration.ofSeconds(3), false), out);
    }
    String printed = captured.toString(StandardCharsets.UTF_8);

    assertThat(outcome.firstSlotAfter()).as(printed).isEqualTo(outcome.lastSlotBefore() + 1);
    assertThat(outcome.missedAtSwap()).as(printed).isZero();
    assertThat(outcome.stateCarriedOver()).as(printed).isTrue();
    // 1.1.0 again: 1.2.0 failed its watch and the agent rolled it back
    assertThat(outcome.runningVersion()).as(printed).isEqualTo("1.1.0");
    assertThat(outcome.finalStats().swaps()).as(printed).isEqualTo(3);
    assertThat(outcome.rollback())
        .as(printed)
        .startsWith("rolled back boiler-control 1.2.0 → 1.1.0: 1 fault in ")
        .contains("(limit 0); first: trap");
    assertThat(outcome.attacks())
        .extracting(Demo.Attack::refusal)
        .satisfiesExactly(
            rollback -> assertThat(rollback).startsWith("FETCH: rollback-attack:"),
            other -> assertThat(other).startsWith("FETCH: wrong-gateway:").contains("gw-demo-2"),
            tampered -> assertThat(tampered).startsWith("DOWNLOAD: hash-mismatch:"));
    assertThat(outcome.attacks()).allMatch(Demo.Attack::logicUnchanged);
    assertThat(outcome.status().auditSeq()).as(printed).isGreaterThan(10);
    assertThat(printed)
        .contains("[1/10] broker", "[10/10] summary", "SWAPPED at tick", "0 missed ticks")
        .contains("state carried over: yes", "attacks refused: 3 of 3", "ROLLED BACK by itself");
  }
}
