package dev.graft.gateway.agent.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.json.JsonObject;
import dev.graft.gateway.agent.journal.InMemoryJournal;
import dev.graft.gateway.agent.journal.Journal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditExportTest {
  @TempDir Path dir;

  @Test
  void write_moreThanOnePage_writesEveryRecordAsAVerifiableChain() throws Exception {
    Journal journal = new InMemoryJournal();
    for (int i = 0; i < 2500; i++) {
      journal.appendAudit(
          Instant.parse("2026-12-08T03:00:00Z").plusMillis(i),
          AuditKind.OPERATOR,
          JsonObject.builder().put("i", i).build());
    }

    AuditExport.write(journal, dir);

    byte[] bytes = Files.readAllBytes(dir.resolve("audit.jsonl"));
    List<AuditRecord> records = AuditChain.parseLines(bytes, Integer.MAX_VALUE);
    AuditChain.Verified verified = AuditChain.verify(records);
    assertThat(verified.count()).isEqualTo(2500);
    assertThat(verified.headSha256()).isEqualTo(journal.auditHead().orElseThrow().sha256());
    assertThat(records).isEqualTo(journal.audit(1, Integer.MAX_VALUE));
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(dir.resolve("audit.jsonl")); // no temporary file left
    }
  }

  @Test
  void write_emptyLog_writesAnEmptyFile() throws Exception {
    AuditExport.write(new InMemoryJournal(), dir);

    assertThat(Files.readAllBytes(dir.resolve("audit.jsonl"))).isEmpty();
  }
}
