package dev.graft.gateway.agent.journal;

import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.json.JsonObject;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The child JVM of {@link H2JournalCrashTest}: commits transitions until it is killed, printing a
 * line after each one returned. Arguments: the journal file, the setting under test.
 */
final class JournalCrashChild {
  private JournalCrashChild() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    try (Journal journal = H2Journal.open(Path.of(args[0]))) {
      out.println("open");
      out.flush();
      for (int i = 0; i < 1_000_000; i++) {
        journal.addFailedHash(hashOf(i));
        out.println("hash " + i);
        out.flush();
        long counter = journal.nextCounter();
        out.println("counter " + counter);
        out.flush();
        journal.raiseReleaseFloor(i);
        out.println("floor " + i);
        out.flush();
        long seq =
            journal
                .appendAudit(
                    Instant.ofEpochMilli(i),
                    AuditKind.OPERATOR,
                    JsonObject.builder().put("i", i).build())
                .seq();
        out.println("audit " + seq);
        out.flush();
      }
    }
  }

  static String hashOf(int i) {
    return HexFormat.of().toHexDigits((long) i).repeat(4);
  }
}
