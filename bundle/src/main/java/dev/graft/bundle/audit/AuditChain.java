package dev.graft.bundle.audit;

import dev.graft.bundle.AuditChainException;
import dev.graft.bundle.JsonFormatException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and checks audit logs: JSON Lines of {@link AuditRecord}s, each linked to the one before by
 * its hash. Hashes are public, so comparisons need not be constant-time; times are not required to
 * increase, since a gateway's clock may be set back.
 */
public final class AuditChain {
  private AuditChain() {}

  /**
   * What a verified chain ends with.
   *
   * @param count how many records were checked
   * @param headSeq the last record's seq; 0 for an empty chain
   * @param headSha256 the last record's hash; for an empty chain the prev its first record would
   *     need ({@link AuditRecord#GENESIS_PREV} for a whole log)
   */
  public record Verified(int count, long headSeq, String headSha256) {}

  /**
   * Parses JSON Lines: one canonical record per line, each line ending in {@code \n} (the last may
   * lack it). The size is checked before anything is parsed.
   *
   * @throws AuditChainException naming the line and the seq expected there
   */
  public static List<AuditRecord> parseLines(byte[] jsonLines, int maxBytes) {
    if (jsonLines.length > maxBytes) {
      throw AuditChainException.oversized(jsonLines.length, maxBytes);
    }
    List<AuditRecord> records = new ArrayList<>();
    int start = 0;
    long line = 0;
    while (start < jsonLines.length) {
      line++;
      int end = start;
      while (end < jsonLines.length && jsonLines[end] != '\n') {
        end++;
      }
      long expected = records.isEmpty() ? 0 : records.getLast().seq() + 1;
      if (end == start) {
        throw AuditChainException.malformed(line, expected, "the line is empty");
      }
      try {
        records.add(AuditRecord.parse(Arrays.copyOfRange(jsonLines, start, end)));
      } catch (JsonFormatException e) {
        throw AuditChainException.malformed(line, expected, String.valueOf(e.getMessage()));
      }
      start = end + 1;
    }
    return List.copyOf(records);
  }

  /** The JSON Lines of {@code records}: each record's line and a newline. */
  public static byte[] toLines(List<AuditRecord> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (AuditRecord record : records) {
      out.writeBytes(record.toLine());
      out.write('\n');
    }
    return out.toByteArray();
  }

  /**
   * Verifies a whole log: it starts at record 1, whose prev is {@link AuditRecord#GENESIS_PREV}.
   *
   * @throws AuditChainException naming the first record that breaks the chain
   */
  public static Verified verify(List<AuditRecord> records) {
    if (!records.isEmpty() && records.getFirst().seq() != 1) {
      throw AuditChainException.outOfSequence(1, records.getFirst().seq());
    }
    return verify(records, AuditRecord.GENESIS_PREV);
  }

  /**
   * Verifies a tail of a log: the first record may have any seq, and its prev must be {@code
   * expectedPrev}, the hash of the record before it as the caller knows it.
   *
   * @throws AuditChainException naming the first record that breaks the chain
   */
  public static Verified verify(List<AuditRecord> records, String expectedPrev) {
    long seq = 0;
    String prev = expectedPrev;
    for (AuditRecord record : records) {
      if (seq > 0 && record.seq() != seq + 1) {
        throw AuditChainException.outOfSequence(seq + 1, record.seq());
      }
      // The hash first: an edited record is reported as edited, not as the link after it.
      String computed = record.computeSha256();
      if (!computed.equals(record.sha256())) {
        throw AuditChainException.hashMismatch(record.seq(), record.sha256(), computed);
      }
      if (!record.prev().equals(prev)) {
        throw AuditChainException.brokenLink(record.seq(), prev, record.prev());
      }
      seq = record.seq();
      prev = record.sha256();
    }
    return new Verified(records.size(), seq, prev);
  }

  /**
   * Requires a verified log to hold the record a signed head names, with that hash: a log cut short
   * after the head was signed, or a different log, is refused.
   *
   * @throws AuditChainException naming the seq
   */
  public static void requireHead(List<AuditRecord> records, long seq, String sha256) {
    long last = records.isEmpty() ? 0 : records.getLast().seq();
    if (seq > last) {
      throw AuditChainException.truncated(seq, last);
    }
    for (AuditRecord record : records) {
      if (record.seq() == seq) {
        if (!record.sha256().equals(sha256)) {
          throw AuditChainException.headMismatch(seq, sha256, record.sha256());
        }
        return;
      }
    }
    long first = records.isEmpty() ? 0 : records.getFirst().seq();
    throw AuditChainException.startsAfter(seq, first);
  }
}
