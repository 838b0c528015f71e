package dev.graft.gateway.agent.journal;

import java.nio.file.Path;

class InMemoryJournalTest extends JournalContractTest {
  @Override
  Journal open(Path dir) {
    return new InMemoryJournal();
  }
}
