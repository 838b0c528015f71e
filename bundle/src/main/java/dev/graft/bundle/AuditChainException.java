package dev.graft.bundle;

import java.util.OptionalLong;

/**
 * An audit log whose records do not form an unbroken hash chain: a record was edited, removed,
 * reordered or forged, a line is not a record, or the log does not reach the head a gateway signed.
 * Every message starts with the record it concerns ({@code audit record 17 …}), which {@link
 * #seq()} also gives.
 */
public final class AuditChainException extends TrustException {
  private static final long serialVersionUID = 1L;

  /** Which rule the log broke. */
  public enum Reason {
    /** The input is larger than the cap; nothing was parsed. */
    OVERSIZED,
    /** A line is not one audit record in canonical JSON. */
    MALFORMED,
    /** A record's seq is not the one after its predecessor's: removed, duplicated or reordered. */
    OUT_OF_SEQUENCE,
    /** A record's prev is not its predecessor's hash. */
    BROKEN_LINK,
    /** A record's stated hash is not the hash of its content. */
    HASH_MISMATCH,
    /** The log does not reach back or forward to the record a signed head names. */
    TRUNCATED,
    /** The record at a signed head's seq has another hash. */
    HEAD_MISMATCH
  }

  private final Reason reason;
  private final long seq;

  private AuditChainException(Reason reason, long seq, String message) {
    super(message);
    this.reason = reason;
    this.seq = seq;
  }

  /** The input is {@code size} bytes, more than {@code max}. */
  public static AuditChainException oversized(long size, long max) {
    return new AuditChainException(
        Reason.OVERSIZED,
        0,
        "audit log is " + size + " bytes, more than the cap of " + max + "; refusing it");
  }

  /**
   * Line {@code line} (from 1) is not a record; {@code expectedSeq} is the seq it should have had,
   * 0 when not known (the first line).
   */
  public static AuditChainException malformed(long line, long expectedSeq, String why) {
    return new AuditChainException(
        Reason.MALFORMED,
        expectedSeq,
        (expectedSeq > 0
                ? "audit record " + expectedSeq + " (line " + line + ")"
                : "audit line " + line)
            + " is not a valid record: "
            + why);
  }

  /** Stored record {@code seq} (in a database, say, not a line of text) is not a valid record. */
  public static AuditChainException malformedRecord(long seq, String why) {
    return new AuditChainException(
        Reason.MALFORMED, seq, "audit record " + seq + " is not a valid record: " + why);
  }

  /** A record with seq {@code found} stands where seq {@code expected} must. */
  public static AuditChainException outOfSequence(long expected, long found) {
    String what =
        found < expected
            ? " — a record is duplicated or the records are reordered"
            : " — record "
                + expected
                + (found - expected > 1 ? " and more are" : " is")
                + " missing";
    return new AuditChainException(
        Reason.OUT_OF_SEQUENCE,
        found,
        "audit record " + found + " stands where record " + expected + " must" + what);
  }

  /** Record {@code seq} names {@code found} as its predecessor's hash, not {@code expected}. */
  public static AuditChainException brokenLink(long seq, String expected, String found) {
    return new AuditChainException(
        Reason.BROKEN_LINK,
        seq,
        "audit record "
            + seq
            + " names prev "
            + found
            + " but the record before it hashes to "
            + expected
            + " — the chain is broken there");
  }

  /** Record {@code seq} states hash {@code stated}, its content hashes to {@code computed}. */
  public static AuditChainException hashMismatch(long seq, String stated, String computed) {
    return new AuditChainException(
        Reason.HASH_MISMATCH,
        seq,
        "audit record "
            + seq
            + " states sha256 "
            + stated
            + " but its content hashes to "
            + computed
            + " — it was altered after it was written");
  }

  /** A signed head names record {@code signedSeq}; the log ends at {@code lastSeq}. */
  public static AuditChainException truncated(long signedSeq, long lastSeq) {
    return new AuditChainException(
        Reason.TRUNCATED,
        signedSeq,
        "the signed status names audit record "
            + signedSeq
            + " but the export ends at "
            + lastSeq
            + " — records were removed from its end");
  }

  /** A signed head names record {@code signedSeq}; the log's first record is {@code firstSeq}. */
  public static AuditChainException startsAfter(long signedSeq, long firstSeq) {
    return new AuditChainException(
        Reason.TRUNCATED,
        signedSeq,
        "the signed status names audit record "
            + signedSeq
            + " but the export starts at "
            + firstSeq
            + " — export the log from an earlier record");
  }

  /**
   * A signed head names record {@code seq} with {@code signed}; the log's record has {@code found}.
   */
  public static AuditChainException headMismatch(long seq, String signed, String found) {
    return new AuditChainException(
        Reason.HEAD_MISMATCH,
        seq,
        "the signed status names audit record "
            + seq
            + " with sha256 "
            + signed
            + " but the export's record "
            + seq
            + " has "
            + found
            + " — the export is not the log the gateway signed");
  }

  public Reason reason() {
    return reason;
  }

  /** The record concerned; 0 when the refusal concerns the whole input or no seq is known. */
  public OptionalLong seq() {
    return seq > 0 ? OptionalLong.of(seq) : OptionalLong.empty();
  }
}
