package dev.graft.bundle;

import org.jspecify.annotations.Nullable;

/**
 * Bytes whose length or hashes differ from what trusted metadata says they must be. The factories
 * name the situations; every message says what was checked, what was found and what trusted
 * metadata expects, and ends "; refusing it".
 */
public final class HashMismatchException extends TrustException {
  private static final long serialVersionUID = 1L;

  private static final String SUFFIX = "; refusing it";

  /** Which check failed. */
  public enum Reason {
    /** The length differs. */
    LENGTH,
    /** A digest differs. */
    DIGEST,
    /** Trusted metadata lists only digests this client cannot compute. */
    UNSUPPORTED_ALGORITHM
  }

  private final Reason reason;
  private final String subject;
  private final @Nullable String algorithm;
  private final @Nullable String expected;
  private final @Nullable String found;

  private HashMismatchException(
      String message,
      @Nullable Throwable cause,
      Reason reason,
      String subject,
      @Nullable String algorithm,
      @Nullable String expected,
      @Nullable String found) {
    super(message);
    if (cause != null) {
      initCause(cause);
    }
    this.reason = reason;
    this.subject = subject;
    this.algorithm = algorithm;
    this.expected = expected;
    this.found = found;
  }

  /** {@code subject} is {@code found} bytes long where trusted metadata says {@code expected}. */
  public static HashMismatchException length(String subject, long expected, long found) {
    return new HashMismatchException(
        subject + " is " + found + " bytes, trusted metadata says " + expected + SUFFIX,
        null,
        Reason.LENGTH,
        subject,
        null,
        Long.toString(expected),
        Long.toString(found));
  }

  /**
   * {@code subject} has {@code algorithm} digest {@code found} (hex) where trusted metadata says
   * {@code expected}.
   */
  public static HashMismatchException digest(
      String subject, String algorithm, String expected, String found) {
    return new HashMismatchException(
        subject
            + " has "
            + algorithm
            + " "
            + found
            + ", trusted metadata says "
            + expected
            + SUFFIX,
        null,
        Reason.DIGEST,
        subject,
        algorithm,
        expected,
        found);
  }

  /** Trusted metadata lists an {@code algorithm} digest of {@code subject} this client lacks. */
  public static HashMismatchException unsupportedAlgorithm(String subject, String algorithm) {
    return new HashMismatchException(
        subject
            + " lists hash algorithm '"
            + algorithm
            + "', which this client cannot check"
            + SUFFIX,
        null,
        Reason.UNSUPPORTED_ALGORITHM,
        subject,
        algorithm,
        null,
        null);
  }

  /**
   * {@code subject} failed verification {@code attempts} times, the last time with {@code last};
   * keeps the last failure's reason and values.
   */
  public static HashMismatchException afterRetries(
      String subject, int attempts, HashMismatchException last) {
    return new HashMismatchException(
        subject
            + " failed verification "
            + attempts
            + " times ("
            + last.getMessage()
            + "); refused and not written",
        last,
        last.reason,
        subject,
        last.algorithm,
        last.expected,
        last.found);
  }

  public Reason reason() {
    return reason;
  }

  /** What was checked, e.g. {@code target firmware.bin} or {@code chunk 3}. */
  public String subject() {
    return subject;
  }

  /** The digest algorithm as trusted metadata names it ({@code sha256}), for digest checks. */
  public @Nullable String algorithm() {
    return algorithm;
  }

  /** The expected length (decimal) or digest (hex); null when the check could not be made. */
  public @Nullable String expected() {
    return expected;
  }

  /** The length (decimal) or digest (hex) found; null when the check could not be made. */
  public @Nullable String found() {
    return found;
  }
}
