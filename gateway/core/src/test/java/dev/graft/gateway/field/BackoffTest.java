package dev.graft.gateway.field;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void nextNanos_repeatedFailures_doubleUpToTheCap() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));

    assertThat(
            new long[] {
              backoff.nextNanos(),
              backoff.nextNanos(),
              backoff.nextNanos(),
              backoff.nextNanos(),
              backoff.nextNanos()
            })
        .containsExactly(100_000_000, 200_000_000, 400_000_000, 500_000_000, 500_000_000);
  }

  @Test
  void reset_afterSuccess_startsFromInitialAgain() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    backoff.nextNanos();
    backoff.nextNanos();

    backoff.reset();

    assertThat(backoff.nextNanos()).isEqualTo(100_000_000);
  }
}
