package dev.graft.gateway.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's contract, written once and run on every implementation. */
abstract class JournalContractTest {

  static final ModuleRef V1 = module("boiler", "1.0.0", 'a', 3);
  static final ModuleRef V2 = module("boiler", "1.1.0", 'b', 5);
  static final ModuleRef V3 = module("boiler", "1.2.0", 'c', 7);

  @TempDir Path dir;
  Journal journal;

  abstract Journal open(Path dir);

  static ModuleRef module(String name, String version, char hashDigit, long counter) {
    return new ModuleRef(name, version, String.valueOf(hashDigit).repeat(64), counter);
  }

  static String hash(char digit) {
    return String.valueOf(digit).repeat(64);
  }

  @BeforeEach
  void openJournal() {
    journal = open(dir);
  }

  @AfterEach
  void closeJournal() {
    journal.close();
  }

  @Test
  void fresh_journal_isEmptyWithZeroFloors() {
    assertThat(journal.update()).isEmpty();
    for (ModuleSlot slot : ModuleSlot.values()) {
      assertThat(journal.module(slot)).isEmpty();
    }
    assertThat(journal.releaseFloor()).isZero();
    assertThat(journal.timeFloor()).isEqualTo(Instant.EPOCH);
    assertThat(journal.failedHashes()).isEmpty();
  }

  @Test
  void recordUpdate_eachState_isReadBackAndCleared() {
    for (PipelineState state : PipelineState.values()) {
      journal.recordUpdate(new UpdateState(state, "modules/boiler-1.1.0.wasm"));
      assertThat(journal.update()).contains(new UpdateState(state, "modules/boiler-1.1.0.wasm"));
    }
    journal.clearUpdate();
    assertThat(journal.update()).isEmpty();
  }

  @Test
  void putModule_eachSlot_isReadBackReplacedAndCleared() {
    journal.putModule(ModuleSlot.INSTALLED, V1);
    journal.putModule(ModuleSlot.PREVIOUS, V2);
    journal.putModule(ModuleSlot.STAGED, V3);
    assertThat(journal.module(ModuleSlot.INSTALLED)).contains(V1);
    assertThat(journal.module(ModuleSlot.PREVIOUS)).contains(V2);
    assertThat(journal.module(ModuleSlot.STAGED)).contains(V3);

    journal.putModule(ModuleSlot.STAGED, V2);
    assertThat(journal.module(ModuleSlot.STAGED)).contains(V2);
    journal.clearModule(ModuleSlot.STAGED);
    assertThat(journal.module(ModuleSlot.STAGED)).isEmpty();
    assertThat(journal.module(ModuleSlot.INSTALLED)).contains(V1);
  }

  @Test
  void commitStaged_withInstalled_movesModulesRaisesFloorAndRecordsCommit() {
    journal.putModule(ModuleSlot.PREVIOUS, V1);
    journal.putModule(ModuleSlot.INSTALLED, V2);
    journal.putModule(ModuleSlot.STAGED, V3);
    journal.recordUpdate(new UpdateState(PipelineState.WATCH, "boiler-1.2.0"));

    journal.commitStaged("boiler-1.2.0");

    assertThat(journal.module(ModuleSlot.INSTALLED)).contains(V3);
    assertThat(journal.module(ModuleSlot.PREVIOUS)).contains(V2);
    assertThat(journal.module(ModuleSlot.STAGED)).isEmpty();
    assertThat(journal.releaseFloor()).isEqualTo(7);
    assertThat(journal.update()).contains(new UpdateState(PipelineState.COMMIT, "boiler-1.2.0"));
  }

  @Test
  void commitStaged_firstInstall_leavesNoPrevious() {
    journal.putModule(ModuleSlot.STAGED, V1);
    journal.commitStaged("boiler-1.0.0");
    assertThat(journal.module(ModuleSlot.INSTALLED)).contains(V1);
    assertThat(journal.module(ModuleSlot.PREVIOUS)).isEmpty();
  }

  @Test
  void commitStaged_nothingStaged_refusedAndNothingChanges() {
    journal.putModule(ModuleSlot.INSTALLED, V1);
    assertThatThrownBy(() -> journal.commitStaged("boiler-1.1.0"))
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("no staged module");
    assertThat(journal.module(ModuleSlot.INSTALLED)).contains(V1);
    assertThat(journal.update()).isEmpty();
  }

  @Test
  void commitStaged_counterBelowFloor_isAtomic_nothingChanges() {
    journal.putModule(ModuleSlot.PREVIOUS, V1);
    journal.putModule(ModuleSlot.INSTALLED, V2);
    journal.putModule(ModuleSlot.STAGED, V3);
    journal.raiseReleaseFloor(9);
    journal.recordUpdate(new UpdateState(PipelineState.WATCH, "boiler-1.2.0"));

    assertThatThrownBy(() -> journal.commitStaged("boiler-1.2.0"))
        .isInstanceOf(FloorLoweringException.class)
        .hasMessageContaining("release floor 7 is below the journal's floor 9");

    // The module moves came before the floor check in the transaction; all were rolled back.
    assertThat(journal.module(ModuleSlot.PREVIOUS)).contains(V1);
    assertThat(journal.module(ModuleSlot.INSTALLED)).contains(V2);
    assertThat(journal.module(ModuleSlot.STAGED)).contains(V3);
    assertThat(journal.releaseFloor()).isEqualTo(9);
    assertThat(journal.update()).contains(new UpdateState(PipelineState.WATCH, "boiler-1.2.0"));
    // The journal is still usable after the rolled-back transition.
    journal.raiseReleaseFloor(10);
    assertThat(journal.releaseFloor()).isEqualTo(10);
  }

  @Test
  void raiseReleaseFloor_upEqualAndDown_onlyEverRises() {
    journal.raiseReleaseFloor(5);
    journal.raiseReleaseFloor(5);
    assertThat(journal.releaseFloor()).isEqualTo(5);
    journal.raiseReleaseFloor(8);
    assertThat(journal.releaseFloor()).isEqualTo(8);

    assertThatThrownBy(() -> journal.raiseReleaseFloor(7))
        .isInstanceOfSatisfying(
            FloorLoweringException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FloorKind.RELEASE);
              assertThat(e.current()).isEqualTo(8);
              assertThat(e.requested()).isEqualTo(7);
            })
        .hasMessage(
            "release floor 7 is below the journal's floor 8 — floors only rise (possible"
                + " rollback); refusing and keeping 8");
    assertThat(journal.releaseFloor()).isEqualTo(8);
  }

  @Test
  void raiseTimeFloor_upEqualAndDown_onlyEverRises() {
    Instant t = Instant.parse("2026-12-08T03:00:00.123456Z");
    journal.raiseTimeFloor(t);
    assertThat(journal.timeFloor()).isEqualTo(Instant.parse("2026-12-08T03:00:00.123Z"));
    journal.raiseTimeFloor(t);
    journal.raiseTimeFloor(t.plusSeconds(60));
    assertThat(journal.timeFloor()).isEqualTo(Instant.parse("2026-12-08T03:01:00.123Z"));

    assertThatThrownBy(() -> journal.raiseTimeFloor(t))
        .isInstanceOfSatisfying(
            FloorLoweringException.class, e -> assertThat(e.kind()).isEqualTo(FloorKind.TIME));
    assertThat(journal.timeFloor()).isEqualTo(Instant.parse("2026-12-08T03:01:00.123Z"));
    assertThat(journal.releaseFloor()).isZero();
  }

  @Test
  void failedHashes_addContainsAndOperatorClear() {
    journal.addFailedHash(hash('1'));
    journal.addFailedHash(hash('2'));
    journal.addFailedHash(hash('1'));
    assertThat(journal.isFailedHash(hash('1'))).isTrue();
    assertThat(journal.isFailedHash(hash('3'))).isFalse();
    assertThat(journal.failedHashes()).containsExactlyInAnyOrder(hash('1'), hash('2'));

    assertThat(journal.clearFailedHashes()).isEqualTo(2);
    assertThat(journal.isFailedHash(hash('1'))).isFalse();
    assertThat(journal.failedHashes()).isEmpty();
    assertThat(journal.clearFailedHashes()).isZero();
  }

  @Test
  void addFailedHash_notASha256_refused() {
    assertThatThrownBy(() -> journal.addFailedHash("ABC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64 lower-case hex digits");
    assertThat(journal.failedHashes()).isEmpty();
  }

  @Test
  void nextCounter_isStrictlyIncreasing() {
    long previous = journal.nextCounter();
    assertThat(previous).isPositive();
    for (int i = 0; i < 50; i++) {
      long next = journal.nextCounter();
      assertThat(next).isGreaterThan(previous);
      previous = next;
    }
  }

  @Test
  void nextCounter_concurrentCallers_neverShareAValue() throws InterruptedException {
    var seen = java.util.concurrent.ConcurrentHashMap.<Long>newKeySet();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          Thread.ofPlatform()
              .start(() -> {
                for (int i = 0; i < 25; i++) {
                  seen.add(journal.nextCounter());
                }
              });
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(seen).hasSize(100);
  }

  static final Instant AUDIT_TIME = Instant.parse("2026-12-08T03:00:00.123Z");

  /** Appends {@code n} records, one of each kind in turn, and returns them. */
  List<AuditRecord> appendRecords(int n) {
    List<AuditRecord> records = new java.util.ArrayList<>();
    for (int i = 1; i <= n; i++) {
      records.add(
          journal.appendAudit(
              AUDIT_TIME.plusSeconds(i),
              AuditKind.values()[i % AuditKind.values().length],
              JsonObject.builder().put("target", "boiler-1." + i + ".0").put("n", i).build()));
    }
    return records;
  }

  @Test
  void auditHead_fresh_isEmpty() {
    assertThat(journal.auditHead()).isEmpty();
    assertThat(journal.audit(1, 100)).isEmpty();
  }

  @Test
  void appendAudit_chainsEachRecordToTheStoredHead() {
    AuditRecord first =
        journal.appendAudit(AUDIT_TIME.plusNanos(456_789), AuditKind.STARTED, JsonObject.empty());
    AuditRecord second =
        journal.appendAudit(
            AUDIT_TIME, AuditKind.ACCEPTED, JsonObject.builder().put("target", "x").build());

    assertThat(first.seq()).isEqualTo(1);
    assertThat(first.prev()).isEqualTo(AuditRecord.GENESIS_PREV);
    assertThat(first.time()).isEqualTo(AUDIT_TIME);
    assertThat(second.seq()).isEqualTo(2);
    assertThat(second.prev()).isEqualTo(first.sha256());
    assertThat(second.sha256()).isEqualTo(second.computeSha256());
    assertThat(journal.auditHead()).contains(second);
    assertThat(journal.audit(1, 10)).containsExactly(first, second);
  }

  @Test
  void audit_pages_fromSeqUpToMax() {
    List<AuditRecord> records = appendRecords(20);

    assertThat(journal.audit(5, 3)).containsExactlyElementsOf(records.subList(4, 7));
    assertThat(journal.audit(18, 10)).containsExactlyElementsOf(records.subList(17, 20));
    assertThat(journal.audit(0, 2)).containsExactlyElementsOf(records.subList(0, 2));
    assertThat(journal.audit(21, 10)).isEmpty();
    assertThat(journal.audit(1, 0)).isEmpty();
    assertThatThrownBy(() -> journal.audit(1, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void audit_whatIsStored_verifiesAsAChainEndingAtTheHead() {
    appendRecords(30);

    AuditChain.Verified verified = AuditChain.verify(journal.audit(1, Integer.MAX_VALUE));

    assertThat(verified.count()).isEqualTo(30);
    assertThat(verified.headSeq()).isEqualTo(30);
    assertThat(verified.headSha256()).isEqualTo(journal.auditHead().orElseThrow().sha256());
  }

  @Test
  void appendAudit_oversizedDetail_isRefusedAndNothingIsStored() {
    appendRecords(1);
    JsonObject huge = JsonObject.builder().put("x", "y".repeat(AuditRecord.MAX_LINE_BYTES)).build();

    assertThatThrownBy(() -> journal.appendAudit(AUDIT_TIME, AuditKind.ALARM, huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than the cap");
    assertThat(journal.auditHead().orElseThrow().seq()).isEqualTo(1);
  }

  @Test
  void appendAudit_concurrentCallers_formOneChain() throws InterruptedException {
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          Thread.ofPlatform()
              .start(() -> {
                for (int i = 0; i < 10; i++) {
                  journal.appendAudit(AUDIT_TIME, AuditKind.OPERATOR, JsonObject.empty());
                }
              });
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(AuditChain.verify(journal.audit(1, 100)).headSeq()).isEqualTo(40);
  }
}
