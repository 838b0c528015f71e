package dev.graft.gateway.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
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

  @Test
  void reopen_keepsTheAuditChainAndContinuesIt() {
    List<AuditRecord> records = appendRecords(5);
    journal.close();

    journal = open(dir);
    assertThat(journal.audit(1, 100)).containsExactlyElementsOf(records);
    AuditRecord next = journal.appendAudit(AUDIT_TIME, AuditKind.STOPPED, JsonObject.empty());
    assertThat(next.seq()).isEqualTo(6);
    assertThat(next.prev()).isEqualTo(records.getLast().sha256());
  }

  /** Changes the closed journal's audit table with plain SQL, as someone with the file could. */
  private void tamper(String sql) throws Exception {
    journal.close();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:h2:file:"
                    + dir.resolve("journal").toAbsolutePath()
                    + H2Journal.URL_SETTINGS);
        Statement statement = c.createStatement()) {
      statement.executeUpdate(sql);
    }
  }

  private void assertOpenRefused(String message) {
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(JournalException.class)
        .hasMessageStartingWith("journal integrity check failed: " + message)
        .hasMessageContaining("was changed outside the agent");
    journal = new InMemoryJournal(); // for @AfterEach
  }

  @Test
  void open_editedAuditDetail_isRefusedNamingTheRecord() throws Exception {
    appendRecords(20);

    tamper("UPDATE audit_record SET detail = '{\"n\":0}' WHERE seq = 17");

    assertOpenRefused("audit record 17 states sha256 ");
  }

  @Test
  void open_deletedAuditRecord_isRefusedNamingTheGap() throws Exception {
    appendRecords(20);

    tamper("DELETE FROM audit_record WHERE seq = 17");

    assertOpenRefused("audit record 18 stands where record 17 must — record 17 is missing");
  }

  @Test
  void open_rewrittenRecordWithItsHash_isRefusedAtTheNextLink() throws Exception {
    List<AuditRecord> records = appendRecords(20);
    AuditRecord forged =
        AuditRecord.next(
            java.util.Optional.of(records.get(15)),
            AUDIT_TIME,
            AuditKind.OPERATOR,
            JsonObject.empty());

    tamper(
        "UPDATE audit_record SET kind = 'operator', detail = '{}', time_ms = "
            + AUDIT_TIME.toEpochMilli()
            + ", sha256 = '"
            + forged.sha256()
            + "' WHERE seq = 17");

    assertOpenRefused("audit record 18 names prev " + records.get(16).sha256());
  }

  @Test
  void open_unknownKind_isRefusedNamingTheRecord() throws Exception {
    appendRecords(3);

    tamper("UPDATE audit_record SET kind = 'deleted' WHERE seq = 2");

    assertOpenRefused("audit record 2 is not a valid record: kind 'deleted' is not known");
  }

  @Test
  void open_truncatedTail_isNotDetectedHere() throws Exception {
    // What the journal cannot see on its own: the signed head in status reports is for that.
    appendRecords(5);

    tamper("DELETE FROM audit_record WHERE seq >= 4");

    journal = open(dir);
    assertThat(AuditChain.verify(journal.audit(1, 100)).headSeq()).isEqualTo(3);
  }
}
