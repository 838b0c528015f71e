package dev.graft.transport;

import java.time.Duration;

/**
 * How a reader waits and how much it asks for at once.
 *
 * @param absentAfter how long after the SUBACK a topic may stay silent before it counts as having
 *     no retained message (MQTT has no "not found")
 * @param progressTimeout the longest a chunk download may go without receiving a valid chunk before
 *     it gives up (slow retrieval); the partial file stays for the next attempt
 * @param window how many chunk topics are subscribed at once (flow control)
 * @param maxChunkRetries how often a chunk that fails its hash is re-requested before the download
 *     fails
 */
public record FetchOptions(
    Duration absentAfter, Duration progressTimeout, int window, int maxChunkRetries) {

  public static final FetchOptions DEFAULT =
      new FetchOptions(Duration.ofSeconds(2), Duration.ofSeconds(30), 8, 3);

  public FetchOptions {
    if (absentAfter.isNegative() || absentAfter.isZero()) {
      throw new IllegalArgumentException("absentAfter must be positive, was " + absentAfter);
    }
    if (progressTimeout.isNegative() || progressTimeout.isZero()) {
      throw new IllegalArgumentException(
          "progressTimeout must be positive, was " + progressTimeout);
    }
    if (window < 1 || window > 256) {
      throw new IllegalArgumentException("chunk window " + window + " is outside 1..256");
    }
    if (maxChunkRetries < 0 || maxChunkRetries > 100) {
      throw new IllegalArgumentException(
          "maxChunkRetries " + maxChunkRetries + " is outside 0..100");
    }
  }
}
