package dev.graft.gateway.agent.audit;

import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.tufclient.AtomicFile;
import dev.graft.gateway.agent.journal.Journal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the journal's audit log as {@code audit.jsonl}: every record, one canonical JSON line
 * each, in seq order. This is the file {@code graft audit verify} checks, against the head the
 * gateway signed in its {@code status} reports.
 */
public final class AuditExport {
  /** The export's file name in the directory it is written to. */
  public static final String FILE_NAME = "audit.jsonl";

  /** Records read from the journal per query. */
  private static final int PAGE = 1000;

  private AuditExport() {}

  /**
   * Writes {@code directory/audit.jsonl} with every audit record in {@code journal}, atomically: a
   * reader finds the previous export or this one, never a partial file. The directory is created if
   * it does not exist.
   *
   * @throws UncheckedIOException when the file cannot be written
   */
  public static void write(Journal journal, Path directory) {
    List<AuditRecord> records = new ArrayList<>();
    long from = 1;
    while (true) {
      List<AuditRecord> page = journal.audit(from, PAGE);
      records.addAll(page);
      if (page.size() < PAGE) {
        break;
      }
      from = page.getLast().seq() + 1;
    }
    Path file = directory.resolve(FILE_NAME);
    try {
      Files.createDirectories(directory);
      AtomicFile.write(file, AuditChain.toLines(records));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the audit export " + file, e);
    }
  }
}
