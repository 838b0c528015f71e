package dev.graft.bundle.audit;

import dev.graft.bundle.Digests;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One record of the audit log. {@code sha256} is the SHA-256 (lowercase hex) of the canonical JSON
 * of the other five members ({@code {"detail","kind","prev","seq","time"}}), and {@code prev} is
 * the previous record's {@code sha256} ({@link #GENESIS_PREV} for record 1): changing any record
 * changes every hash after it.
 *
 * <p>The constructor checks the shape only, not the hash, so a tampered record can be represented
 * and refused by {@link AuditChain#verify}; {@link #next} is how records are made.
 *
 * @param seq from 1, one more than the previous record's
 * @param time the gateway's clock, to the millisecond; not required to increase (clocks move back)
 * @param kind what happened
 * @param detail kind-specific members; integers only, as all canonical JSON
 * @param prev the previous record's {@code sha256}
 * @param sha256 this record's hash as stated
 */
public record AuditRecord(
    long seq, Instant time, AuditKind kind, JsonObject detail, String prev, String sha256) {

  /** The {@code prev} of record 1: 64 zeros. */
  public static final String GENESIS_PREV = "0".repeat(64);

  /** One record's line, without its newline; details are meant to be a few members. */
  public static final int MAX_LINE_BYTES = 16 * 1024;

  private static final int MAX_DEPTH = 8;
  private static final JsonParser PARSER = JsonParser.withCaps(MAX_LINE_BYTES, MAX_DEPTH);
  private static final Set<String> MEMBERS =
      Set.of("seq", "time", "kind", "detail", "prev", "sha256");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  public AuditRecord {
    if (seq < 1) {
      throw new IllegalArgumentException("audit seq starts at 1, was " + seq);
    }
    if (!time.truncatedTo(ChronoUnit.MILLIS).equals(time)) {
      throw new IllegalArgumentException("audit time is kept to the millisecond, was " + time);
    }
    requireSha256(prev, "prev");
    requireSha256(sha256, "sha256");
  }

  /**
   * The record after {@code head} (record 1 when empty), with its seq, prev and hash computed.
   * {@code time} is truncated to the millisecond.
   *
   * @throws IllegalArgumentException when the record's line would exceed {@link #MAX_LINE_BYTES},
   *     or the detail holds a decimal (canonical JSON has integers only)
   */
  public static AuditRecord next(
      Optional<AuditRecord> head, Instant time, AuditKind kind, JsonObject detail) {
    long seq = head.map(h -> Math.addExact(h.seq(), 1)).orElse(1L);
    String prev = head.map(AuditRecord::sha256).orElse(GENESIS_PREV);
    Instant millis = time.truncatedTo(ChronoUnit.MILLIS);
    AuditRecord next;
    try {
      next =
          new AuditRecord(seq, millis, kind, detail, prev, hash(seq, millis, kind, detail, prev));
    } catch (JsonFormatException e) {
      throw new IllegalArgumentException("audit detail: " + e.getMessage(), e);
    }
    int length = next.toLine().length;
    if (length > MAX_LINE_BYTES) {
      throw new IllegalArgumentException(
          "audit record would be "
              + length
              + " bytes, more than the cap of "
              + MAX_LINE_BYTES
              + "; keep the detail to a few members");
    }
    return next;
  }

  /** The hash this record's content has, whatever it states. */
  public String computeSha256() {
    return hash(seq, time, kind, detail, prev);
  }

  /** The record as a JSON object with all six members. */
  public JsonObject toJson() {
    return content(seq, time, kind, detail, prev).put("sha256", sha256).build();
  }

  /** The record's line: its canonical JSON, without a newline. */
  public byte[] toLine() {
    return CanonicalJson.encode(toJson());
  }

  /**
   * Reads one line strictly: at most {@link #MAX_LINE_BYTES}, canonical JSON (what {@link #toLine}
   * writes, byte for byte), exactly the six members, a known kind. Does not check the hash.
   *
   * @throws JsonFormatException naming what is wrong
   */
  public static AuditRecord parse(byte[] line) {
    if (line.length > MAX_LINE_BYTES) {
      throw new JsonFormatException(
          "the line is " + line.length + " bytes, more than the cap of " + MAX_LINE_BYTES);
    }
    JsonObject json = PARSER.parseObject(line);
    for (String member : json.members().keySet()) {
      if (!MEMBERS.contains(member)) {
        throw new JsonFormatException("unknown member '" + member + "'");
      }
    }
    String timeText = json.string("time");
    Instant time;
    try {
      time = Instant.parse(timeText);
    } catch (DateTimeParseException e) {
      throw new JsonFormatException("time '" + timeText + "' is not an ISO-8601 instant", e);
    }
    if (!time.toString().equals(timeText)) {
      throw new JsonFormatException(
          "time '" + timeText + "' is not in its canonical form '" + time + "'");
    }
    String kindName = json.string("kind");
    AuditKind kind =
        AuditKind.fromWireName(kindName)
            .orElseThrow(() -> new JsonFormatException("kind '" + kindName + "' is not known"));
    AuditRecord record;
    try {
      record =
          new AuditRecord(
              json.integer("seq"),
              time,
              kind,
              json.object("detail"),
              json.string("prev"),
              json.string("sha256"));
    } catch (IllegalArgumentException e) {
      throw new JsonFormatException(String.valueOf(e.getMessage()), e);
    }
    if (!Arrays.equals(record.toLine(), line)) {
      throw new JsonFormatException("the line is not canonical JSON");
    }
    return record;
  }

  private static String hash(
      long seq, Instant time, AuditKind kind, JsonObject detail, String prev) {
    return Digests.sha256Hex(CanonicalJson.encode(content(seq, time, kind, detail, prev).build()));
  }

  private static JsonObject.Builder content(
      long seq, Instant time, AuditKind kind, JsonObject detail, String prev) {
    return JsonObject.builder()
        .put("seq", seq)
        .put("time", time.toString())
        .put("kind", kind.wireName())
        .put("detail", detail)
        .put("prev", prev);
  }

  private static void requireSha256(String value, String member) {
    if (!SHA256_HEX.matcher(value).matches()) {
      throw new IllegalArgumentException(
          member + " must be 64 lowercase hex digits (SHA-256), was '" + value + "'");
    }
  }
}
