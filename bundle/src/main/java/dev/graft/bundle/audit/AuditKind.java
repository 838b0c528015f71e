package dev.graft.bundle.audit;

import java.util.Locale;
import java.util.Optional;

/**
 * What an audit record records: the update pipeline's transitions, refusals, field-side safety
 * events and the operator's actions. The wire name is the constant in lower case ({@code
 * preflight_passed}); a name this enum does not know is refused when a record is read, so a record
 * cannot smuggle in a kind no reader understands.
 */
public enum AuditKind {
  /** An update was accepted for staging (signed metadata, policy and floors all passed). */
  ACCEPTED,
  /** An update was refused; the detail says which rule. */
  REFUSED,
  /** The bundle's download finished, every chunk verified; the detail counts the bytes. */
  DOWNLOADED,
  /** The bundle passed STAGE (whole-file hashes, strict read, floor, grant) and is staged. */
  STAGED,
  /** The staged module passed PREFLIGHT. */
  PREFLIGHT_PASSED,
  /** The swap is about to be requested of the scan loop. */
  SWAP_PENDING,
  /** The scan loop runs the new module. */
  SWAPPED,
  /** The swap was held back (e.g. outputs not in a state that allows it). */
  SWAP_HELD,
  /** The WATCH period ended; the detail says how it went. */
  WATCHED,
  /** The update was committed: the release floor rose. */
  COMMITTED,
  /** The previous module runs again. */
  ROLLED_BACK,
  /** An alarm was raised. */
  ALARM,
  /** Outputs were driven to their safe values. */
  SAFE_OUTPUTS,
  /** The agent resumed after a restart from the journaled state. */
  RECOVERED,
  /** An operator's action on the gateway (e.g. clearing the failed-hash list). */
  OPERATOR,
  /** The agent started. */
  STARTED,
  /** The agent stopped in an orderly way. */
  STOPPED;

  /** The name in records: lower case with underscores. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind with this wire name; empty for a name not listed here (or not in lower case). */
  public static Optional<AuditKind> fromWireName(String wireName) {
    for (AuditKind kind : values()) {
      if (kind.wireName().equals(wireName)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
