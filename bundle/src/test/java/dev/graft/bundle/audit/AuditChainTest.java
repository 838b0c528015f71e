package dev.graft.bundle.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.AuditChainException;
import dev.graft.bundle.AuditChainException.Reason;
import dev.graft.bundle.Digests;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The chain rules: a good chain verifies; each way of tampering with one is refused by seq. */
class AuditChainTest {
  private static final Instant T0 = Instant.parse("2026-12-08T03:00:00Z");

  /** Five records; the clock moves back between 3 and 4, which is allowed. */
  static List<AuditRecord> chain(int n) {
    List<AuditRecord> records = new ArrayList<>();
    Optional<AuditRecord> head = Optional.empty();
    for (int i = 1; i <= n; i++) {
      Instant time = i == 4 ? T0.minusSeconds(60) : T0.plusMillis(1500L * i);
      AuditRecord next =
          AuditRecord.next(
              head,
              time,
              AuditKind.values()[i % AuditKind.values().length],
              JsonObject.builder().put("n", i).put("target", "boiler-1." + i + ".0").build());
      records.add(next);
      head = Optional.of(next);
    }
    return records;
  }

  private static AuditChainException refusal(Runnable check) {
    try {
      check.run();
    } catch (AuditChainException e) {
      return e;
    }
    throw new AssertionError("expected an AuditChainException");
  }

  @Test
  void next_firstRecord_hasSeqOneGenesisPrevAndTheHashOfItsContent() {
    AuditRecord first =
        AuditRecord.next(
            Optional.empty(), T0.plusNanos(1_500_000), AuditKind.STARTED, JsonObject.empty());

    assertThat(first.seq()).isEqualTo(1);
    assertThat(first.prev()).isEqualTo("0".repeat(64));
    assertThat(first.time()).isEqualTo(T0.plusMillis(1));
    String content =
        "{\"detail\":{},\"kind\":\"started\",\"prev\":\""
            + "0".repeat(64)
            + "\",\"seq\":1,\"time\":\"2026-12-08T03:00:00.001Z\"}";
    assertThat(first.sha256()).isEqualTo(Digests.sha256Hex(content));
    assertThat(new String(first.toLine(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"detail\":{},\"kind\":\"started\",\"prev\":\""
                + "0".repeat(64)
                + "\",\"seq\":1,\"sha256\":\""
                + first.sha256()
                + "\",\"time\":\"2026-12-08T03:00:00.001Z\"}");
  }

  @Test
  void kind_wireNames_areLowercaseWithUnderscores() {
    assertThat(AuditKind.PREFLIGHT_PASSED.wireName()).isEqualTo("preflight_passed");
    assertThat(AuditKind.fromWireName("rolled_back")).contains(AuditKind.ROLLED_BACK);
    assertThat(AuditKind.fromWireName("ROLLED_BACK")).isEmpty();
  }

  @Test
  void verify_goodChain_returnsTheHead() {
    List<AuditRecord> records = chain(5);

    AuditChain.Verified verified =
        AuditChain.verify(AuditChain.parseLines(AuditChain.toLines(records), 1 << 20));

    assertThat(verified.count()).isEqualTo(5);
    assertThat(verified.headSeq()).isEqualTo(5);
    assertThat(verified.headSha256()).isEqualTo(records.get(4).sha256());
  }

  @Test
  void verify_empty_isTheGenesis() {
    assertThat(AuditChain.verify(List.of()))
        .isEqualTo(new AuditChain.Verified(0, 0, AuditRecord.GENESIS_PREV));
  }

  @Test
  void verify_tailWithItsExpectedPrev_verifies() {
    List<AuditRecord> records = chain(5);

    AuditChain.Verified verified =
        AuditChain.verify(records.subList(2, 5), records.get(1).sha256());

    assertThat(verified.count()).isEqualTo(3);
    assertThat(verified.headSeq()).isEqualTo(5);
  }

  @Test
  void verify_tailWithoutExpectedPrev_isRefused() {
    List<AuditRecord> records = chain(5);

    AuditChainException e = refusal(() -> AuditChain.verify(records.subList(2, 5)));

    assertThat(e.reason()).isEqualTo(Reason.OUT_OF_SEQUENCE);
    assertThat(e).hasMessageStartingWith("audit record 3 stands where record 1 must");
  }

  @Test
  void verify_editedDetail_isRefusedAtThatRecord() {
    List<AuditRecord> records = new ArrayList<>(chain(5));
    AuditRecord r = records.get(2);
    records.set(
        2,
        new AuditRecord(
            r.seq(),
            r.time(),
            r.kind(),
            JsonObject.builder().put("n", 99).build(),
            r.prev(),
            r.sha256()));

    AuditChainException e = refusal(() -> AuditChain.verify(records));

    assertThat(e.reason()).isEqualTo(Reason.HASH_MISMATCH);
    assertThat(e.seq()).hasValue(3);
    assertThat(e)
        .hasMessageStartingWith("audit record 3 states sha256 " + r.sha256())
        .hasMessageEndingWith("— it was altered after it was written");
    assertThat(e.kind()).isEqualTo("audit-chain");
  }

  @Test
  void verify_editedLine_isRefusedAtThatRecord() {
    byte[] lines = AuditChain.toLines(chain(5));
    String text = new String(lines, StandardCharsets.UTF_8).replace("boiler-1.4.0", "boiler-6.6.6");

    AuditChainException e =
        refusal(() ->
            AuditChain.verify(
                AuditChain.parseLines(text.getBytes(StandardCharsets.UTF_8), 1 << 20)));

    assertThat(e.reason()).isEqualTo(Reason.HASH_MISMATCH);
    assertThat(e.seq()).hasValue(4);
  }

  @Test
  void verify_removedRecord_isRefusedAtTheRecordAfterTheGap() {
    List<AuditRecord> records = new ArrayList<>(chain(5));
    records.remove(2);

    AuditChainException e = refusal(() -> AuditChain.verify(records));

    assertThat(e.reason()).isEqualTo(Reason.OUT_OF_SEQUENCE);
    assertThat(e.seq()).hasValue(4);
    assertThat(e).hasMessage("audit record 4 stands where record 3 must — record 3 is missing");
  }

  @Test
  void verify_reordered_isRefused() {
    List<AuditRecord> records = new ArrayList<>(chain(5));
    records.set(1, records.get(2));
    records.set(2, chain(5).get(1));

    AuditChainException e = refusal(() -> AuditChain.verify(records));

    assertThat(e.reason()).isEqualTo(Reason.OUT_OF_SEQUENCE);
    assertThat(e).hasMessageStartingWith("audit record 3 stands where record 2 must");
  }

  @Test
  void verify_duplicateSeq_isRefused() {
    List<AuditRecord> records = new ArrayList<>(chain(5));
    records.add(3, records.get(2));

    AuditChainException e = refusal(() -> AuditChain.verify(records));

    assertThat(e.seq()).hasValue(3);
    assertThat(e)
        .hasMessage(
            "audit record 3 stands where record 4 must — a record is duplicated or the records"
                + " are reordered");
  }

  @Test
  void verify_forgedHashConsistentWithContent_breaksTheNextLink() {
    // The forger rewrites record 3 and recomputes its hash; record 4 still names the old one.
    List<AuditRecord> records = new ArrayList<>(chain(5));
    AuditRecord r = records.get(2);
    AuditRecord forged =
        AuditRecord.next(
            Optional.of(records.get(1)), r.time(), AuditKind.OPERATOR, JsonObject.empty());
    records.set(2, forged);

    AuditChainException e = refusal(() -> AuditChain.verify(records));

    assertThat(e.reason()).isEqualTo(Reason.BROKEN_LINK);
    assertThat(e.seq()).hasValue(4);
    assertThat(e)
        .hasMessage(
            "audit record 4 names prev "
                + r.sha256()
                + " but the record before it hashes to "
                + forged.sha256()
                + " — the chain is broken there");
  }

  @Test
  void verify_forgedStatedHash_isRefused() {
    List<AuditRecord> records = new ArrayList<>(chain(5));
    AuditRecord r = records.get(4);
    records.set(
        4, new AuditRecord(r.seq(), r.time(), r.kind(), r.detail(), r.prev(), "f".repeat(64)));

    AuditChainException e = refusal(() -> AuditChain.verify(records));

    assertThat(e.reason()).isEqualTo(Reason.HASH_MISMATCH);
    assertThat(e.seq()).hasValue(5);
  }

  @Test
  void verify_wrongPrev_isRefused() {
    List<AuditRecord> records = new ArrayList<>(chain(5));
    AuditRecord r = records.get(1);
    // Self-consistent hash, wrong link.
    AuditRecord relinked =
        AuditRecord.next(
            Optional.of(
                new AuditRecord(
                    1, T0, AuditKind.STARTED, JsonObject.empty(), "1".repeat(64), "2".repeat(64))),
            r.time(),
            r.kind(),
            r.detail());
    records.set(1, relinked);

    AuditChainException e = refusal(() -> AuditChain.verify(records));

    assertThat(e.reason()).isEqualTo(Reason.BROKEN_LINK);
    assertThat(e.seq()).hasValue(2);
  }

  @Test
  void verify_tailWithWrongExpectedPrev_isRefused() {
    List<AuditRecord> records = chain(5);

    AuditChainException e = refusal(() -> AuditChain.verify(records.subList(2, 5), "a".repeat(64)));

    assertThat(e.reason()).isEqualTo(Reason.BROKEN_LINK);
    assertThat(e.seq()).hasValue(3);
  }

  @Test
  void parseLines_oversize_isRefusedBeforeParsing() {
    byte[] lines = AuditChain.toLines(chain(5));

    AuditChainException e = refusal(() -> AuditChain.parseLines(lines, lines.length - 1));

    assertThat(e.reason()).isEqualTo(Reason.OVERSIZED);
    assertThat(e.seq()).isEmpty();
    assertThat(e).hasMessageContaining("more than the cap of " + (lines.length - 1));
  }

  @Test
  void parseLines_malformedLine_namesTheSeqExpectedThere() {
    String text = new String(AuditChain.toLines(chain(5)), StandardCharsets.UTF_8);
    String[] lines = text.split("\n");
    lines[2] = "{\"seq\":3";
    byte[] broken = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);

    AuditChainException e = refusal(() -> AuditChain.parseLines(broken, 1 << 20));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.seq()).hasValue(3);
    assertThat(e).hasMessageStartingWith("audit record 3 (line 3) is not a valid record: ");
  }

  @Test
  void parseLines_nonCanonicalLine_isRefused() {
    AuditRecord r = chain(1).getFirst();
    String pretty = new String(r.toLine(), StandardCharsets.UTF_8).replace(",", ", ");

    AuditChainException e =
        refusal(() -> AuditChain.parseLines(pretty.getBytes(StandardCharsets.UTF_8), 1 << 20));

    assertThat(e).hasMessage("audit line 1 is not a valid record: the line is not canonical JSON");
  }

  @Test
  void parseLines_unknownMemberOrKind_isRefused() {
    AuditRecord r = chain(1).getFirst();
    byte[] extra = CanonicalJson.encode(r.toJson().toBuilder().put("note", "hi").build());
    byte[] kind = CanonicalJson.encode(r.toJson().toBuilder().put("kind", "deleted").build());

    assertThat(refusal(() -> AuditChain.parseLines(extra, 1 << 20)))
        .hasMessageContaining("unknown member 'note'");
    assertThat(refusal(() -> AuditChain.parseLines(kind, 1 << 20)))
        .hasMessageContaining("kind 'deleted' is not known");
  }

  @Test
  void parseLines_emptyLineInTheMiddle_isRefused() {
    String text = new String(AuditChain.toLines(chain(2)), StandardCharsets.UTF_8);
    byte[] gap = text.replaceFirst("\n", "\n\n").getBytes(StandardCharsets.UTF_8);

    AuditChainException e = refusal(() -> AuditChain.parseLines(gap, 1 << 20));

    assertThat(e).hasMessage("audit record 2 (line 2) is not a valid record: the line is empty");
  }

  @Test
  void requireHead_truncatedOrDifferent_isRefused() {
    List<AuditRecord> records = chain(5);

    AuditChain.requireHead(records, 5, records.get(4).sha256());
    AuditChain.requireHead(records, 3, records.get(2).sha256());
    assertThat(refusal(() -> AuditChain.requireHead(records.subList(0, 3), 5, "a".repeat(64))))
        .hasMessage(
            "the signed status names audit record 5 but the export ends at 3 — records were"
                + " removed from its end");
    assertThat(refusal(() -> AuditChain.requireHead(records, 4, "a".repeat(64))).reason())
        .isEqualTo(Reason.HEAD_MISMATCH);
    assertThatThrownBy(() -> AuditChain.requireHead(records.subList(3, 5), 2, "a".repeat(64)))
        .isInstanceOf(AuditChainException.class)
        .hasMessageContaining("starts at 4");
  }
}
