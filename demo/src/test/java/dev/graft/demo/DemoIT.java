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
  void run_swapsLiveWithoutMissedTicks_refusesEveryAttack() throws Exception {
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
    assertThat(outcome.runningVersion()).isEqualTo("1.1.0");
    assertThat(outcome.finalStats().swaps()).isEqualTo(1);
    assertThat(outcome.attacks())
        .extracting(Demo.Attack::refusal)
        .satisfiesExactly(
            tampered -> assertThat(tampered).startsWith("HashMismatchException: chunk 0"),
            rollback -> assertThat(rollback).startsWith("RollbackAttackException:"),
            other -> assertThat(other).startsWith("WrongGatewayException:").contains("gw-demo-2"));
    assertThat(outcome.attacks()).allMatch(Demo.Attack::logicUnchanged);
    assertThat(printed)
        .contains("[1/9] broker", "[9/9] summary", "SWAPPED at tick", "0 missed ticks")
        .contains("state carried over: yes", "attacks refused: 3 of 3");
  }
}
