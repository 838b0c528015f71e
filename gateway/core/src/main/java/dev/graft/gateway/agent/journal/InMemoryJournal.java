package dev.graft.gateway.agent.journal;

import static java.util.Objects.requireNonNull;

import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A journal held in memory, for fleets of simulated agents in one JVM. Every method holds the
 * object's monitor, so each transition is atomic for other threads; nothing survives the JVM.
 */
public final class InMemoryJournal implements Journal {
  // All fields guarded by "this".
  private @Nullable UpdateState update;
  private final Map<ModuleSlot, ModuleRef> modules = new EnumMap<>(ModuleSlot.class);
  private final long[] floors = new long[FloorKind.values().length]; // by ordinal
  private final Set<String> failed = new LinkedHashSet<>();
  private long counter;
  private final List<AuditRecord> audit = new ArrayList<>();

  @Override
  public synchronized Optional<UpdateState> update() {
    return Optional.ofNullable(update);
  }

  @Override
  public synchronized void recordUpdate(UpdateState state) {
    update = requireNonNull(state, "state");
  }

  @Override
  public synchronized void clearUpdate() {
    update = null;
  }

  @Override
  public synchronized Optional<ModuleRef> module(ModuleSlot slot) {
    return Optional.ofNullable(modules.get(requireNonNull(slot, "slot")));
  }

  @Override
  public synchronized void putModule(ModuleSlot slot, ModuleRef module) {
    modules.put(requireNonNull(slot, "slot"), requireNonNull(module, "module"));
  }

  @Override
  public synchronized void clearModule(ModuleSlot slot) {
    modules.remove(requireNonNull(slot, "slot"));
  }

  @Override
  public synchronized void commitStaged(String target) {
    UpdateState committed = new UpdateState(PipelineState.COMMIT, target);
    ModuleRef staged = modules.get(ModuleSlot.STAGED);
    if (staged == null) {
      throw new JournalException("no staged module to commit for " + target + " — stage it first");
    }
    // Check first, then change: the transition happens entirely or not at all.
    checkRaise(FloorKind.RELEASE, staged.releaseCounter());
    ModuleRef installed = modules.get(ModuleSlot.INSTALLED);
    if (installed != null) {
      modules.put(ModuleSlot.PREVIOUS, installed);
    }
    modules.put(ModuleSlot.INSTALLED, staged);
    modules.remove(ModuleSlot.STAGED);
    floors[FloorKind.RELEASE.ordinal()] = staged.releaseCounter();
    update = committed;
  }

  @Override
  public synchronized long releaseFloor() {
    return floors[FloorKind.RELEASE.ordinal()];
  }

  @Override
  public synchronized void raiseReleaseFloor(long floor) {
    raise(FloorKind.RELEASE, floor);
  }

  @Override
  public synchronized Instant timeFloor() {
    return Instant.ofEpochMilli(floors[FloorKind.TIME.ordinal()]);
  }

  @Override
  public synchronized void raiseTimeFloor(Instant floor) {
    raise(FloorKind.TIME, requireNonNull(floor, "floor").toEpochMilli());
  }

  @Override
  public synchronized void addFailedHash(String sha256) {
    failed.add(ModuleRef.requireSha256(sha256));
  }

  @Override
  public synchronized boolean isFailedHash(String sha256) {
    return failed.contains(ModuleRef.requireSha256(sha256));
  }

  @Override
  public synchronized Set<String> failedHashes() {
    return Set.copyOf(failed);
  }

  @Override
  public synchronized int clearFailedHashes() {
    int removed = failed.size();
    failed.clear();
    return removed;
  }

  @Override
  public synchronized long nextCounter() {
    return ++counter;
  }

  @Override
  public synchronized AuditRecord appendAudit(Instant time, AuditKind kind, JsonObject detail) {
    AuditRecord next =
        AuditRecord.next(
            auditHead(),
            requireNonNull(time, "time"),
            requireNonNull(kind, "kind"),
            requireNonNull(detail, "detail"));
    audit.add(next);
    return next;
  }

  @Override
  public synchronized List<AuditRecord> audit(long fromSeq, int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative, was " + max);
    }
    // Records are stored in seq order from 1, so seq n is at index n - 1.
    int from = (int) Math.min(audit.size(), Math.max(0, fromSeq - 1));
    int to = (int) Math.min(audit.size(), (long) from + max);
    return List.copyOf(audit.subList(from, to));
  }

  @Override
  public synchronized Optional<AuditRecord> auditHead() {
    return audit.isEmpty() ? Optional.empty() : Optional.of(audit.getLast());
  }

  @Override
  public void close() {}

  private void raise(FloorKind kind, long floor) {
    checkRaise(kind, floor);
    floors[kind.ordinal()] = floor;
  }

  private void checkRaise(FloorKind kind, long floor) {
    long current = floors[kind.ordinal()];
    if (floor < current) {
      throw FloorLoweringException.of(kind, current, floor);
    }
  }
}
