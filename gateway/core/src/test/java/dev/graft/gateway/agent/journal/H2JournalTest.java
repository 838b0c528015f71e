package dev.graft.gateway.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class H2JournalTest extends JournalContractTest {
  @Override
  Journal open(Path dir) {
    return H2Journal.open(dir.resolve("journal"));
  }

  @Test
  void reopen_keepsEverything() {
    journal.putModule(ModuleSlot.STAGED, V2);
    journal.putModule(ModuleSlot.INSTALLED, V1);
    journal.commitStaged("boiler-1.1.0");
    journal.raiseTimeFloor(Instant.parse("2026-12-08T03:00:00Z"));
    journal.addFailedHash(hash('f'));
    journal.close();

    journal = open(dir);
    assertThat(journal.module(ModuleSlot.INSTALLED)).contains(V2);
    assertThat(journal.module(ModuleSlot.PREVIOUS)).contains(V1);
    assertThat(journal.releaseFloor()).isEqualTo(5);
    assertThat(journal.timeFloor()).isEqualTo(Instant.parse("2026-12-08T03:00:00Z"));
    assertThat(journal.isFailedHash(hash('f'))).isTrue();
    assertThat(journal.update()).contains(new UpdateState(PipelineState.COMMIT, "boiler-1.1.0"));
  }

  @Test
  void nextCounter_acrossReopen_keepsIncreasing() {
    long last = 0;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 5; i++) {
        long next = journal.nextCounter();
        assertThat(next).isGreaterThan(last);
        last = next;
      }
      journal.close();
      journal = open(dir);
    }
    assertThat(last).isEqualTo(15);
  }
}
