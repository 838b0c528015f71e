package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.ExpiredMetadataException;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Indefinite freeze attack: the repository (or a man in the middle) keeps serving the files the
 * client already trusts, and time passes their expiry. Each test lets one role expire early, trusts
 * the release while it is fresh, then refreshes with a clock past that role's expiry.
 */
class FreezeAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();

  private StoreContents trustWhileFresh() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise().publish();
    fixture.client().refresh();
    return StoreContents.of(fixture.store);
  }

  @Test
  void refresh_timestampExpired_throwsExpiredAndStoresNothing() {
    fixture.expiresFor.put(RoleType.TIMESTAMP, RepositoryFixture.NOW.plus(Duration.ofDays(1)));
    StoreContents before = trustWhileFresh();

    assertThatThrownBy(
            () -> fixture.client(RepositoryFixture.clockAt(Duration.ofDays(2))).refresh())
        .isExactlyInstanceOf(ExpiredMetadataException.class)
        .hasMessageContaining("timestamp metadata version 1 expired");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_clockExactlyAtTimestampExpiry_throwsExpired() {
    fixture.expiresFor.put(RoleType.TIMESTAMP, RepositoryFixture.NOW.plus(Duration.ofDays(1)));
    StoreContents before = trustWhileFresh();

    // TUF: metadata is expired once the reference time reaches "expires", not only after it.
    assertThatThrownBy(
            () -> fixture.client(RepositoryFixture.clockAt(Duration.ofDays(1))).refresh())
        .isExactlyInstanceOf(ExpiredMetadataException.class);
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_newTimestampAlreadyExpired_throwsExpiredAndKeepsTrustedOne() {
    StoreContents before = trustWhileFresh();
    fixture.expiresFor.put(RoleType.TIMESTAMP, RepositoryFixture.NOW.plus(Duration.ofDays(1)));
    fixture.publishNext();

    assertThatThrownBy(
            () -> fixture.client(RepositoryFixture.clockAt(Duration.ofDays(2))).refresh())
        .isExactlyInstanceOf(ExpiredMetadataException.class)
        .hasMessageContaining("timestamp metadata version 2 expired");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_snapshotExpired_throwsExpiredAndStoresNothing() {
    fixture.expiresFor.put(RoleType.SNAPSHOT, RepositoryFixture.NOW.plus(Duration.ofDays(5)));
    StoreContents before = trustWhileFresh();

    assertThatThrownBy(
            () -> fixture.client(RepositoryFixture.clockAt(Duration.ofDays(6))).refresh())
        .isExactlyInstanceOf(ExpiredMetadataException.class)
        .hasMessageContaining("snapshot metadata version 1 expired");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_targetsExpired_throwsExpiredAndStoresNothing() {
    fixture.expiresFor.put(RoleType.TARGETS, RepositoryFixture.NOW.plus(Duration.ofDays(5)));
    StoreContents before = trustWhileFresh();

    assertThatThrownBy(
            () -> fixture.client(RepositoryFixture.clockAt(Duration.ofDays(6))).refresh())
        .isExactlyInstanceOf(ExpiredMetadataException.class)
        .hasMessageContaining("targets metadata version 1 expired");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_rootExpiredAndNoNewerRoot_throwsExpiredAndStoresNothing() {
    fixture.rootExpires = RepositoryFixture.NOW.plus(Duration.ofDays(5));
    StoreContents before = trustWhileFresh();

    assertThatThrownBy(
            () -> fixture.client(RepositoryFixture.clockAt(Duration.ofDays(6))).refresh())
        .isExactlyInstanceOf(ExpiredMetadataException.class)
        .hasMessageContaining("root metadata version 1 expired");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_expiredRootReplacedByFreshOne_succeeds() {
    // An intermediate or trusted root may be expired; only the newest one must be fresh.
    fixture.rootExpires = RepositoryFixture.NOW.plus(Duration.ofDays(5));
    trustWhileFresh();
    fixture.rootVersion = 2;
    fixture.rootExpires = RepositoryFixture.NOW.plus(Duration.ofDays(365));
    fixture.publishRoot();

    TufClient client = fixture.client(RepositoryFixture.clockAt(Duration.ofDays(6)));
    client.refresh();

    assertThat(client.root().version()).isEqualTo(2);
    assertThat(fixture.store.load("root")).hasValue(fixture.published("2.root.json"));
  }
}
