package dev.graft.gateway.agent.report;

/** What {@link ReportVerifier} decided about one report; a caller must branch on it. */
public sealed interface Verification {

  /** The report is the enrolled gateway's, signed by its identity key, and newer than any seen. */
  record Verified(Report report) implements Verification {}

  /**
   * The report was refused; nothing in it may be used, and the last counter seen stays as it was.
   *
   * @param message what was wrong, for logs and the operator
   */
  record Rejected(Reason reason, String message) implements Verification {}

  /** Why a report was refused. */
  enum Reason {
    /** Larger than the verifier's cap; not parsed at all. */
    OVERSIZED,
    /** Not JSON as the trust core accepts it, or not shaped like a report. */
    MALFORMED,
    /** No signature verifies with the enrolled identity key over the canonical {@code signed}. */
    FORGED_SIGNATURE,
    /** Correctly signed, but naming a different gateway. */
    WRONG_GATEWAY,
    /** The counter is not above the last one seen: a replay or an old report. */
    REPLAYED_COUNTER,
    /** A report kind this verifier does not know. */
    UNKNOWN_KIND,
    /** The enrolled key is not an ECDSA P-256 key that can verify. */
    UNUSABLE_KEY
  }
}
