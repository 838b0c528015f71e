package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.TargetNotFoundException;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Extraneous dependencies: a delegated role (its key compromised, or simply careless) lists targets
 * outside the paths it was delegated, hoping the client takes them from it.
 */
class ExtraneousDependenciesAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();

  @BeforeEach
  void delegateApps() {
    fixture.addTarget("firmware/base.graft", "base");
    fixture.delegate("apps", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("apps", "apps/a.graft", "a");
    fixture.addDelegatedTarget("apps", "firmware/evil.graft", "evil");
    fixture.initialise();
  }

  @Test
  void requireTarget_delegatedRoleListsPathOutsideItsPatterns_throwsTargetNotFound() {
    fixture.publish();
    TufClient client = fixture.client();
    client.refresh();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client.requireTarget("firmware/evil.graft"))
        .isExactlyInstanceOf(TargetNotFoundException.class);
    // The role is not trusted for the path, so it is not even fetched.
    assertThat(fixture.repository.requests()).doesNotContain("1.apps.json");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void requireTarget_sameRoleForPathInsideItsPatterns_findsTarget() {
    fixture.publish();
    TufClient client = fixture.client();
    client.refresh();

    assertThat(client.requireTarget("apps/a.graft").length()).isEqualTo(1);
  }

  @Test
  void requireTarget_grandchildListsPathOutsideParentsPatterns_throwsTargetNotFound() {
    // "apps" delegates everything onwards, but it was only trusted for apps/*; the walk never
    // reaches its delegate for a firmware path.
    fixture.delegate(
        "apps", "anything", List.of("*", "*/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("anything", "firmware/evil.graft", "evil");
    fixture.publish();
    TufClient client = fixture.client();
    client.refresh();

    assertThatThrownBy(() -> client.requireTarget("firmware/evil.graft"))
        .isExactlyInstanceOf(TargetNotFoundException.class);
    assertThat(fixture.repository.requests()).doesNotContain("1.apps.json", "1.anything.json");
  }

  @Test
  void findTarget_terminatingDelegationWithoutTarget_stopsBeforeLaterRoles() {
    fixture.delegations.clear();
    fixture.delegatedKeys.clear();
    fixture.delegatedTargets.clear();
    fixture.delegate("first", List.of("apps/*"), true, RepositoryFixture.newCompositeKey());
    fixture.delegate("second", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("second", "apps/b.graft", "b");
    fixture.publish();
    TufClient client = fixture.client();
    client.refresh();

    assertThat(client.findTarget("apps/b.graft")).isEmpty();
    assertThat(fixture.repository.requests())
        .contains("1.first.json")
        .doesNotContain("1.second.json");
  }
}
