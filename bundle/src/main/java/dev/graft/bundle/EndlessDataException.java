package dev.graft.bundle;

import java.util.OptionalLong;

/**
 * A download that exceeded the length its role or target is allowed: the endless-data attack. Every
 * message ends "— possible endless-data attack; refusing it".
 */
public final class EndlessDataException extends TrustException {
  private static final long serialVersionUID = 1L;

  private static final String SUFFIX = " — possible endless-data attack; refusing it";

  private final String subject;
  private final long maxLength;
  private final long length;

  private EndlessDataException(String message, String subject, long maxLength, long length) {
    super(message);
    this.subject = subject;
    this.maxLength = maxLength;
    this.length = length;
  }

  /** {@code subject} is (or says it is) {@code length} bytes, more than {@code maxLength}. */
  public static EndlessDataException of(String subject, long maxLength, long length) {
    return new EndlessDataException(
        subject
            + " is "
            + length
            + " bytes, more than the "
            + maxLength
            + " bytes allowed"
            + SUFFIX,
        subject,
        maxLength,
        length);
  }

  /** {@code subject} went on past {@code maxLength} bytes; how far was not read. */
  public static EndlessDataException longerThan(String subject, long maxLength) {
    return new EndlessDataException(
        subject + " is longer than the " + maxLength + " bytes allowed" + SUFFIX,
        subject,
        maxLength,
        -1);
  }

  /**
   * Returns {@code data} when it is at most {@code maxLength} bytes long, and refuses it otherwise,
   * naming {@code what}: the one check every repository and the client make on delivered bytes.
   */
  public static byte[] requireWithin(byte[] data, long maxLength, String what) {
    if (data.length > maxLength) {
      throw longerThan(what, maxLength);
    }
    return data;
  }

  /** What was delivered: a file name, URL or topic. */
  public String subject() {
    return subject;
  }

  public long maxLength() {
    return maxLength;
  }

  /** The length delivered or announced; empty when reading stopped at the cap. */
  public OptionalLong length() {
    return length < 0 ? OptionalLong.empty() : OptionalLong.of(length);
  }
}
