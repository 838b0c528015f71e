package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.testing.RepositoryFixture;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A role delegated by two roles to different keys: C is delegated by A to key 1 (and signed by key
 * 1) and by B to key 2. A lookup through B must verify C against B's delegation, not accept the C
 * that was verified through A earlier in the same session.
 */
class MultiDelegatorTest {
  private final RepositoryFixture fixture = new RepositoryFixture();

  @BeforeEach
  void twoDelegatorsOfOneRole() {
    fixture.delegate("a", List.of("one/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("b", List.of("two/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("a", "c", List.of("one/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("b", "c", List.of("two/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("c", "one/x.graft", "through a");
    fixture.addDelegatedTarget("c", "two/y.graft", "through b");
    fixture.initialise().publish();
  }

  @Test
  void findTarget_roleCachedThroughOtherDelegator_reverifiesAndThrowsThreshold() {
    TufClient client = fixture.client();
    assertThat(client.findTarget("one/x.graft")).isPresent();
    byte[] trustedC = fixture.store.load("c").orElseThrow();

    assertThatThrownBy(() -> client.findTarget("two/y.graft"))
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("c metadata version 1 has valid signatures from 0");
    // b itself is a good role and is stored; c stays as it was trusted through a.
    assertThat(fixture.store.load("c")).hasValueSatisfying(c -> assertThat(c).isEqualTo(trustedC));
    assertThat(fixture.store.roleNames()).doesNotContain("two");
  }

  @Test
  void findTarget_onlyThroughOtherDelegator_throwsThreshold() {
    TufClient client = fixture.client();

    assertThatThrownBy(() -> client.findTarget("two/y.graft"))
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("c metadata version 1 has valid signatures from 0");
  }
}
