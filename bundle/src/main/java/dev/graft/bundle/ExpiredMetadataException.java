package dev.graft.bundle;

import java.time.Instant;

/** Metadata whose expiry has passed: the freeze attack, or a repository that stopped refreshing. */
public final class ExpiredMetadataException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String role;
  private final long version;
  private final Instant expires;
  private final Instant now;

  private ExpiredMetadataException(String role, long version, Instant expires, Instant now) {
    super(
        role
            + " metadata version "
            + version
            + " expired at "
            + expires
            + " (now "
            + now
            + ") — possible freeze attack; refusing update");
    this.role = role;
    this.version = version;
    this.expires = expires;
    this.now = now;
  }

  /**
   * {@code role} metadata at {@code version} expired at {@code expires}; the clock reads {@code
   * now}.
   */
  public static ExpiredMetadataException of(
      String role, long version, Instant expires, Instant now) {
    return new ExpiredMetadataException(role, version, expires, now);
  }

  public String role() {
    return role;
  }

  public long version() {
    return version;
  }

  public Instant expires() {
    return expires;
  }

  /** The (floored) time the client checked against. */
  public Instant now() {
    return now;
  }
}
