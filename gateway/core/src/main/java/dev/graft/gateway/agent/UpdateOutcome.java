package dev.graft.gateway.agent;

import dev.graft.gateway.agent.journal.ModuleRef;
import dev.graft.gateway.agent.journal.PipelineState;
import dev.graft.gateway.runtime.PreflightReport;
import dev.graft.gateway.runtime.StateLoad;
import java.util.List;
import java.util.Optional;

/** What one check for updates came to. Every outcome is also in the audit log and in events. */
public sealed interface UpdateOutcome {

  /** The director assigns nothing new: the installed module is what it names, or it names none. */
  record UpToDate(Optional<ModuleRef> installed, String detail) implements UpdateOutcome {}

  /**
   * No update could be tried now: the broker is unreachable, metadata expired, the clock is below
   * the time floor, or the download was interrupted (it resumes). The running logic is untouched.
   */
  record Blocked(String reason) implements UpdateOutcome {}

  /**
   * The release was refused at {@code stage}; the running logic and the trusted state are
   * unchanged, and {@code reason} is in events and the audit log.
   */
  record Refused(PipelineState stage, String target, String reason) implements UpdateOutcome {}

  /**
   * The release passed every check, but the swap did not happen now (the update lock, {@code
   * update_permit}, {@code swap_when}); the next check tries again.
   */
  record Held(String target, String reason) implements UpdateOutcome {}

  /**
   * The new module went live, passed its watch and is committed: the release floor is its counter.
   */
  record Committed(Optional<ModuleRef> from, ModuleRef to, SwapReport swap, WatchReport watch)
      implements UpdateOutcome {}

  /**
   * The new module went live and failed its watch; {@code action} is what the grant's rollback mode
   * did about it, {@code explanation} the sentence for the operator.
   */
  record WatchFailed(
      ModuleRef failed,
      Optional<ModuleRef> running,
      RollbackAction action,
      String explanation,
      SwapReport swap,
      WatchReport watch)
      implements UpdateOutcome {}

  /** What a failed watch led to, by the grant's rollback mode. */
  enum RollbackAction {
    /** {@code auto}: the previous committed module runs again. */
    ROLLED_BACK,
    /** {@code alarm}: the new module keeps running; the alarm is raised. */
    ALARM,
    /** {@code safe}, or nothing to roll back to: the scan loop stopped with outputs safe. */
    SAFE_OUTPUTS
  }

  /**
   * How the new module went live.
   *
   * @param preflight the self-test, shadow ticks and state round trip
   * @param shadowComparison per output point, in how many shadow ticks the candidate's value
   *     differed from the live module's at the same snapshot ({@code burner: 2 of 20 ticks})
   * @param firstSlot the slot the new module ran first
   * @param lastSlotBefore the slot the old module ran last, -1 on a first install
   * @param state whether the old module's state was carried over
   * @param outputsToSafe outputs the old module drove that the new one does not declare
   */
  record SwapReport(
      PreflightReport preflight,
      List<String> shadowComparison,
      long firstSlot,
      long lastSlotBefore,
      StateLoad state,
      List<String> outputsToSafe) {
    public SwapReport {
      shadowComparison = List.copyOf(shadowComparison);
      outputsToSafe = List.copyOf(outputsToSafe);
    }

    /** Slots skipped between the old module's last tick and the new one's first; 0 by design. */
    public long missedAtSwap() {
      return lastSlotBefore < 0 ? 0 : firstSlot - lastSlotBefore - 1;
    }
  }

  /**
   * The watch window.
   *
   * @param ticks ticks the new module ran while watched
   * @param windowTicks the window's length in ticks
   * @param faults faulted ticks
   * @param expectFailures samples where the grant's {@code expect} did not hold
   * @param limit the grant's {@code fault_limit}: more violations than this fail the watch
   * @param first the first violation, described, if any
   */
  record WatchReport(
      long ticks,
      long windowTicks,
      long faults,
      long expectFailures,
      long limit,
      Optional<String> first) {
    public long violations() {
      return faults + expectFailures;
    }

    public boolean passed() {
      return violations() <= limit && ticks >= windowTicks;
    }

    /** "4 faults in 600 watch ticks (limit 3); first: …". */
    public String describe() {
      StringBuilder text = new StringBuilder();
      text.append(faults).append(faults == 1 ? " fault" : " faults");
      if (expectFailures > 0) {
        text.append(" and ")
            .append(expectFailures)
            .append(expectFailures == 1 ? " failed expect" : " failed expects");
      }
      text.append(" in ").append(ticks).append(" watch ticks (limit ").append(limit).append(')');
      first.ifPresent(f -> text.append("; first: ").append(f));
      return text.toString();
    }
  }
}
