package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.testing.RepositoryFixture;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TufClientSmokeTest {
  @Test
  void refresh_freshRepository_trustsEveryRoleAndDownloadsTarget() {
    RepositoryFixture fixture = new RepositoryFixture();
    fixture.addTarget("boiler-control-1.4.0.graft", "bundle bytes");
    fixture.initialise().publish();

    TufClient client = fixture.client();
    client.refresh();
    byte[] bytes = client.downloadTarget(client.requireTarget("boiler-control-1.4.0.graft"));

    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("bundle bytes");
    assertThat(fixture.store.roleNames())
        .containsExactlyInAnyOrder("root", "timestamp", "snapshot", "targets");
    assertThat(fixture.repository.requests())
        .containsExactly(
            "2.root.json",
            "timestamp.json",
            "1.snapshot.json",
            "1.targets.json",
            "targets/"
                + RepositoryFixture.hashPrefixed(
                    fixture.targetFile("boiler-control-1.4.0.graft", bytes)));
  }
}
