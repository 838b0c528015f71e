package dev.graft.gateway.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread interrupted while it writes the journal (an agent being stopped, a caller's timeout)
 * must not take the database down: on H2's plain file system the interrupt closes the file channel
 * under H2 ({@code ClosedByInterruptException}) and the database closes itself.
 */
class H2JournalInterruptTest {
  @TempDir Path dir;

  @Test
  void writes_writerInterruptedRepeatedly_journalStaysUsableAndKeepsEveryCommit() throws Exception {
    Path file = dir.resolve("journal");
    AtomicLong lastCommitted = new AtomicLong();
    try (H2Journal journal = H2Journal.open(file)) {
      Thread writer =
          new Thread(() -> {
            for (int i = 0; i < 300; i++) {
              try {
                lastCommitted.set(journal.nextCounter());
              } catch (JournalException e) {
                // an interrupted write may fail; what matters is the journal afterwards
              }
            }
          });
      writer.start();
      while (writer.isAlive()) {
        writer.interrupt();
        Thread.sleep(1);
      }

      long next = journal.nextCounter();

      assertThat(next).isGreaterThan(lastCommitted.get());
    }
    try (H2Journal reopened = H2Journal.open(file)) {
      assertThat(reopened.nextCounter()).isGreaterThan(lastCommitted.get() + 1);
    }
  }
}
