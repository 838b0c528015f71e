package dev.graft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TopicsTest {
  private static final String SHA = "ab".repeat(32);

  @Test
  void repoMetadata_eachRole_followsProtocolTable() {
    assertThat(Topics.repoMetadata("root", OptionalLong.of(3)))
        .isEqualTo("graft/v1/repo/metadata/root/3");
    assertThat(Topics.repoMetadata("timestamp", OptionalLong.empty()))
        .isEqualTo("graft/v1/repo/metadata/timestamp");
    assertThat(Topics.repoMetadata("snapshot", OptionalLong.of(7)))
        .isEqualTo("graft/v1/repo/metadata/snapshot/7");
    assertThat(Topics.repoMetadata("team-a.release", OptionalLong.of(2)))
        .isEqualTo("graft/v1/repo/metadata/team-a.release/2");
    assertThat(Topics.repoRootLatest()).isEqualTo("graft/v1/repo/metadata/root/latest");
    assertThat(Topics.chunkList(SHA)).isEqualTo("graft/v1/repo/targets/" + SHA + "/chunks");
    assertThat(Topics.chunk(SHA, 12)).isEqualTo("graft/v1/repo/targets/" + SHA + "/chunk/12");
  }

  @Test
  void directorAndGatewayTopics_validId_followProtocolTable() {
    assertThat(Topics.directorMetadata("gw-7", "root", OptionalLong.of(2)))
        .isEqualTo("graft/v1/director/root/2");
    assertThat(Topics.directorMetadata("gw-7", "timestamp", OptionalLong.empty()))
        .isEqualTo("graft/v1/director/gw-7/timestamp");
    assertThat(Topics.directorMetadata("gw-7", "targets", OptionalLong.of(4)))
        .isEqualTo("graft/v1/director/gw-7/targets/4");
    assertThat(Topics.directorRootLatest()).isEqualTo("graft/v1/director/root/latest");
    assertThat(Topics.gatewayStatus("gw-7")).isEqualTo("graft/v1/gw/gw-7/status");
    assertThat(Topics.gatewayPresence("gw-7")).isEqualTo("graft/v1/gw/gw-7/presence");
    assertThat(Topics.gatewayEvents("gw-7")).isEqualTo("graft/v1/gw/gw-7/events");
    assertThat(Topics.gatewayHealth("gw-7")).isEqualTo("graft/v1/gw/gw-7/health");
  }

  @Test
  void gatewayId_wildcardsSlashesAndControlCharacters_refused() {
    for (String bad :
        new String[] {"gw/other", "gw+", "#", "+", "", "..", "gw\u0000x", "a/../b", ".hidden"}) {
      assertThatThrownBy(() -> Topics.gatewayStatus(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gateway id");
    }
    assertThatThrownBy(() -> Topics.gatewayStatus("x".repeat(129)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void roleAndVersion_invalid_refusedWithReason() {
    assertThatThrownBy(() -> Topics.repoMetadata("targets/../root", OptionalLong.of(1)))
        .hasMessageContaining("role name");
    assertThatThrownBy(() -> Topics.repoMetadata("targets", OptionalLong.empty()))
        .hasMessageContaining("give a version");
    assertThatThrownBy(() -> Topics.repoMetadata("timestamp", OptionalLong.of(1)))
        .hasMessageContaining("without a version");
    assertThatThrownBy(() -> Topics.repoRoot(0)).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> Topics.chunk("AB".repeat(32), 0))
        .hasMessageContaining("64 lowercase hex");
    assertThatThrownBy(() -> Topics.chunk(SHA, -1)).hasMessageContaining("negative");
  }

  @Test
  void matches_wildcards_followMqttRules() {
    assertThat(Topics.matches("a/+/c", "a/b/c")).isTrue();
    assertThat(Topics.matches("a/+/c", "a/b/d")).isFalse();
    assertThat(Topics.matches("a/#", "a/b/c")).isTrue();
    assertThat(Topics.matches("a/b", "a/b/c")).isFalse();
    assertThat(Topics.matches("a/b/c", "a/b")).isFalse();
    assertThat(Topics.chunkIndex(SHA, Topics.chunk(SHA, 42))).isEqualTo(42);
    assertThat(Topics.chunkIndex(SHA, Topics.chunkList(SHA))).isEqualTo(-1);
  }
}
