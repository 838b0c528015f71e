package dev.graft.gateway.agent.journal;

import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The update agent's durable record of where it stands. Every mutating method is one transition: it
 * happens entirely or not at all, and once it returns it survives a crash of the process (for
 * {@link H2Journal}; see {@code docs/journal.md}). The agent writes the journal before the
 * transition takes effect.
 */
public interface Journal extends AutoCloseable {

  /** The current update, or empty when none is in progress. */
  Optional<UpdateState> update();

  /** Records the current update's state and target. */
  void recordUpdate(UpdateState state);

  /** Ends the current update (finished, rejected or abandoned). */
  void clearUpdate();

  Optional<ModuleRef> module(ModuleSlot slot);

  void putModule(ModuleSlot slot, ModuleRef module);

  void clearModule(ModuleSlot slot);

  /**
   * COMMIT as one transition: the installed module becomes the previous one, the staged module
   * becomes the installed one, the release floor rises to its release counter, and the update state
   * becomes COMMIT for {@code target}.
   *
   * @throws JournalException when nothing is staged
   * @throws FloorLoweringException when the staged module's counter is below the release floor;
   *     nothing changes then
   */
  void commitStaged(String target);

  long releaseFloor();

  /**
   * Raises the release floor; an equal value changes nothing.
   *
   * @throws FloorLoweringException when {@code floor} is below the current floor
   */
  void raiseReleaseFloor(long floor);

  /** The time floor, to the millisecond; {@link Instant#EPOCH} until first raised. */
  Instant timeFloor();

  /**
   * Raises the time floor (kept to the millisecond, rounded down); an equal value changes nothing.
   *
   * @throws FloorLoweringException when {@code floor} is below the current floor
   */
  void raiseTimeFloor(Instant floor);

  /** Records a module hash that failed PREFLIGHT or WATCH, so it is not tried again. */
  void addFailedHash(String sha256);

  boolean isFailedHash(String sha256);

  Set<String> failedHashes();

  /** The operator's reset of the failed-hash list; returns how many hashes it removed. */
  int clearFailedHashes();

  /**
   * The next report counter: strictly greater than every value returned before, also across
   * reopening.
   */
  long nextCounter();

  /**
   * Appends the next audit record, chained to the stored head (record 1 when there is none), as one
   * transition. The time is kept to the millisecond.
   *
   * @return the record as stored
   */
  AuditRecord appendAudit(Instant time, AuditKind kind, JsonObject detail);

  /**
   * Up to {@code max} audit records in seq order, starting at {@code fromSeq} (records before 1 do
   * not exist, so 1 and below start at the first).
   *
   * @throws IllegalArgumentException when {@code max} is negative
   */
  List<AuditRecord> audit(long fromSeq, int max);

  /** The last audit record, or empty when none was appended. */
  Optional<AuditRecord> auditHead();

  @Override
  void close();
}
