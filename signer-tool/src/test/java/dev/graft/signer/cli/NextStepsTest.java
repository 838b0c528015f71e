package dev.graft.signer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.metadata.RoleType;
import dev.graft.signer.repo.RepoException;
import dev.graft.signer.repo.RoleStateException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The hints the CLI adds to the repository library's facts, word for word as before the split. */
class NextStepsTest {
  private static final Path DIR = Path.of("/srv/graft/repo");

  @Test
  void message_nothingStagedTargets_namesReleaseAdd() {
    RoleStateException e =
        new RoleStateException(
            "targets has no staged version",
            DIR,
            RoleType.TARGETS,
            RoleStateException.State.NOTHING_STAGED);

    assertThat(NextSteps.message(e))
        .isEqualTo(
            "targets has no staged version; stage one with `graft release add /srv/graft/repo"
                + " BUNDLE`");
  }

  @Test
  void message_nothingStagedRoot_namesRotateRoot() {
    RoleStateException e =
        new RoleStateException(
            "root has no staged version in " + DIR,
            DIR,
            RoleType.ROOT,
            RoleStateException.State.NOTHING_STAGED);

    assertThat(NextSteps.message(e))
        .isEqualTo(
            "root has no staged version in /srv/graft/repo; stage one with `graft repo rotate-root"
                + " /srv/graft/repo`");
  }

  @Test
  void message_nothingPublished_namesReleaseAdd() {
    RoleStateException e =
        new RoleStateException(
            "nothing to publish: " + DIR + " has no published targets yet",
            DIR,
            RoleType.TARGETS,
            RoleStateException.State.NOTHING_PUBLISHED);

    assertThat(NextSteps.message(e))
        .isEqualTo(
            "nothing to publish: /srv/graft/repo has no published targets yet; stage one with"
                + " `graft release add /srv/graft/repo BUNDLE`");
  }

  @Test
  void message_stagedExpired_namesRenewAndSignatures() {
    RoleStateException e =
        new RoleStateException(
            "targets version 2 as staged expired at 2026-01-01T00:00:00Z; gateways would refuse"
                + " it once published",
            DIR,
            RoleType.TARGETS,
            Instant.parse("2026-01-01T00:00:00Z"));

    assertThat(NextSteps.message(e))
        .isEqualTo(
            "targets version 2 as staged expired at 2026-01-01T00:00:00Z; gateways would refuse"
                + " it once published. Stage it again with a fresh expiry (`graft repo renew"
                + " /srv/graft/repo targets`) and collect its signatures");
  }

  @Test
  void message_otherRepoException_isItsOwnMessage() {
    assertThat(NextSteps.message(new RepoException("key abc is not one of the keys")))
        .isEqualTo("key abc is not one of the keys");
  }

  @Test
  void renewal_eachRole_quotesTheCommand() {
    assertThat(NextSteps.renewal(DIR, RoleType.ROOT))
        .isEqualTo("`graft repo renew /srv/graft/repo root`");
    assertThat(NextSteps.renewal(DIR, RoleType.TIMESTAMP))
        .isEqualTo("`graft repo refresh-timestamp /srv/graft/repo`");
  }

  @Test
  void renewalAdvice_offlineRolesCollectSignatures_onlineRolesOnlyRefresh() {
    assertThat(NextSteps.renewalAdvice(DIR, RoleType.ROOT))
        .isEqualTo("run graft repo renew /srv/graft/repo root and collect root signatures");
    assertThat(NextSteps.renewalAdvice(DIR, RoleType.TARGETS))
        .isEqualTo("run graft repo renew /srv/graft/repo targets and collect targets signatures");
    assertThat(NextSteps.renewalAdvice(DIR, RoleType.SNAPSHOT))
        .isEqualTo("run graft repo refresh-timestamp /srv/graft/repo");
  }
}
