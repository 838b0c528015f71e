package dev.graft.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdateLockFileTest {
  @TempDir Path dir;

  @Test
  void write_thenRead_sameLock_andReleaseRemovesTheFile() {
    UpdateLockFile file = new UpdateLockFile(dir.resolve("update-lock.json"));
    UpdateLock lock =
        new UpdateLock("operator", "maintenance", Instant.parse("2026-12-08T05:00:00Z"));

    file.write(Optional.of(lock));

    assertThat(new UpdateLockFile(dir.resolve("update-lock.json")).read()).contains(lock);
    file.write(Optional.empty());
    assertThat(file.read()).isEmpty();
    assertThat(dir.resolve("update-lock.json")).doesNotExist();
  }

  @Test
  void read_damagedFile_refusedWithHowToFixIt_neverTakenAsUnlocked() throws Exception {
    Path path = dir.resolve("update-lock.json");
    Files.writeString(path, "{\"by\": \"operator\", \"reas", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> new UpdateLockFile(path).read())
        .isInstanceOf(AgentStartException.class)
        .hasMessageContaining("is damaged")
        .hasMessageContaining("remove it to release the lock");
  }

  @Test
  void read_oversizedFile_refusedBeforeParsing() throws Exception {
    Path path = dir.resolve("update-lock.json");
    Files.write(path, new byte[64 * 1024]);

    assertThatThrownBy(() -> new UpdateLockFile(path).read())
        .isInstanceOf(AgentStartException.class)
        .hasMessageContaining("too large to be an update lock");
  }

  @Test
  void lock_blankHolder_refused() {
    assertThatThrownBy(() -> new UpdateLock(" ", "why", Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("who takes it");
  }
}
