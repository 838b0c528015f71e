package dev.graft.bundle;

/** A target whose release counter is below the gateway's floor. */
public final class DowngradeException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final long releaseCounter;
  private final long floor;

  private DowngradeException(String path, long releaseCounter, long floor) {
    super(message(path, releaseCounter, floor));
    this.path = path;
    this.releaseCounter = releaseCounter;
    this.floor = floor;
  }

  /** Target {@code path} has {@code releaseCounter}, below the gateway's {@code floor}. */
  public static DowngradeException of(String path, long releaseCounter, long floor) {
    return new DowngradeException(path, releaseCounter, floor);
  }

  /**
   * The message {@link #of} writes, for callers that report the refusal as a value rather than
   * throw it.
   */
  public static String message(String path, long releaseCounter, long floor) {
    return "'"
        + path
        + "' has release counter "
        + releaseCounter
        + ", below this gateway's floor "
        + floor
        + " — refusing a downgrade; re-release it with a higher counter";
  }

  public String path() {
    return path;
  }

  public long releaseCounter() {
    return releaseCounter;
  }

  public long floor() {
    return floor;
  }
}
