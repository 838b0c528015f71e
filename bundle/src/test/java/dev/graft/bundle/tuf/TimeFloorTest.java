package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.ClockBelowFloorException;
import dev.graft.bundle.ExpiredMetadataException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.Timestamp;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The time floor: a clock set back must neither un-expire metadata nor authorise an install, and
 * the floor survives restarts through its store.
 */
class TimeFloorTest {
  private static final Instant NOW = RepositoryFixture.NOW;

  private final AtomicReference<Instant> systemTime = new AtomicReference<>(NOW);
  private final Clock system = new SettableClock(systemTime);
  private final InMemoryTrustedStore floorStore = new InMemoryTrustedStore();

  @Test
  void now_systemClockAdvances_raisesAndPersistsFloor() {
    TimeFloor floor = new TimeFloor(system, floorStore);
    systemTime.set(NOW.plus(Duration.ofDays(3)));

    assertThat(floor.now()).isEqualTo(NOW.plus(Duration.ofDays(3)));
    assertThat(new TimeFloor(system, floorStore).floor()).isEqualTo(NOW.plus(Duration.ofDays(3)));
  }

  @Test
  void now_systemClockSetBackAfterRestart_neverGoesBelowFloor() {
    new TimeFloor(system, floorStore).now();
    systemTime.set(Instant.EPOCH.plus(Duration.ofDays(1))); // a gateway that boots in 1970

    TimeFloor restarted = new TimeFloor(system, floorStore);

    assertThat(restarted.now()).isEqualTo(NOW);
    assertThat(restarted.clock().instant()).isEqualTo(NOW);
  }

  @Test
  void requireClockAtFloor_systemClockBelowFloor_throwsAndKeepsFloor() {
    TimeFloor floor = new TimeFloor(system, floorStore);
    floor.now();
    systemTime.set(NOW.minus(Duration.ofHours(2)));
    StoreContents before = StoreContents.of(floorStore);

    assertThatThrownBy(floor::requireClockAtFloor)
        .isExactlyInstanceOf(ClockBelowFloorException.class)
        .hasMessageContaining("the system clock reads 2026-05-31T22:00:00Z")
        .hasMessageContaining("before the time floor 2026-06-01T00:00:00Z")
        .hasMessageContaining("refusing to authorise a new install")
        .hasMessageContaining("running logic is not affected");
    assertThat(StoreContents.of(floorStore)).isEqualTo(before);
    assertThat(floor.floor()).isEqualTo(NOW);
  }

  @Test
  void requireClockAtFloor_systemClockAtOrAboveFloor_passes() {
    TimeFloor floor = new TimeFloor(system, floorStore);
    floor.now();
    systemTime.set(NOW.plusSeconds(1));

    floor.requireClockAtFloor();

    assertThat(floor.floor()).isEqualTo(NOW.plusSeconds(1));
  }

  @Test
  void observeTimestamp_verifiedTimestamp_raisesFloorToEarliestSigningTime() {
    TimeFloor floor = new TimeFloor(system, floorStore);
    Timestamp verified =
        new Timestamp(
            Signed.SPEC_VERSION,
            7,
            NOW.plus(Duration.ofDays(10)),
            MetaFile.of(7),
            JsonObject.empty());

    floor.observeTimestamp(verified, Duration.ofDays(1));

    assertThat(floor.floor()).isEqualTo(NOW.plus(Duration.ofDays(9)));
    assertThat(floor.clock().instant()).isEqualTo(NOW.plus(Duration.ofDays(9)));
  }

  @Test
  void constructor_unreadableStoredFloor_throwsRatherThanReset() {
    floorStore.store(TimeFloor.STORE_NAME, "yesterday".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> new TimeFloor(system, floorStore))
        .isExactlyInstanceOf(TrustException.class)
        .hasMessageContaining("the stored time floor 'yesterday' is unreadable");
  }

  /**
   * A freeze attack helped by a clock set back: the gateway trusted timestamp 1 (valid for a day)
   * and has since seen a time ten days later. An attacker who sets its clock back to the day of
   * timestamp 1 and keeps serving it must not make it valid again.
   */
  @Test
  void refresh_clockSetBackAndOnceValidTimestampReplayed_throwsExpiredAndStoresNothing() {
    RepositoryFixture fixture = new RepositoryFixture();
    fixture.expiresFor.put(RoleType.TIMESTAMP, NOW.plus(Duration.ofDays(1)));
    fixture.initialise().publish();
    TimeFloor floor = new TimeFloor(system, floorStore);
    fixture.clientBuilder().clock(floor.clock()).build().refresh(); // valid at NOW
    systemTime.set(NOW.plus(Duration.ofDays(10)));
    floor.now(); // the gateway saw day 10 (e.g. a refused refresh of the frozen timestamp)
    systemTime.set(NOW.plus(Duration.ofHours(1))); // clock set back; timestamp 1 replayed
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.clientBuilder().clock(floor.clock()).build().refresh())
        .isExactlyInstanceOf(ExpiredMetadataException.class)
        .hasMessageContaining("timestamp metadata version 1 expired at 2026-06-02T00:00:00Z")
        .hasMessageContaining("possible freeze attack");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
    assertThatThrownBy(floor::requireClockAtFloor)
        .isExactlyInstanceOf(ClockBelowFloorException.class);
    // Without the floor, the set-back clock accepts the replayed timestamp.
    fixture.clientBuilder().clock(system).build().refresh();
  }

  private static final class SettableClock extends Clock {
    private final AtomicReference<Instant> time;

    SettableClock(AtomicReference<Instant> time) {
      this.time = time;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return time.get();
    }
  }
}
