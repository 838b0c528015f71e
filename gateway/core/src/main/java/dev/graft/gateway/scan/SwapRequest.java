package dev.graft.gateway.scan;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a swap is to be made.
 *
 * @param timeout how long to wait for the grant's {@code update_permit} and {@code swap_when}
 *     before the swap is held; {@code null} takes the grant's {@code swap_timeout_s}, or {@link
 *     ScanLoop#DEFAULT_SWAP_TIMEOUT} when the grant has no {@code swap_when}
 * @param overrideSwapWhen the operator's override: skip the grant's {@code swap_when}. The {@code
 *     update_permit} is never skipped: it is a switch on the plant, the consent of whoever stands
 *     next to it, and a remote override must not outrank it
 * @param rollback the update agent's rollback to the module it replaced: {@code swap_when} is
 *     skipped, the swap may follow a faulted tick (a module that faults is what a rollback is for),
 *     and no state is carried: the module swapped back in resumes the state it kept when it was
 *     swapped out, since the state of a module that failed its watch is suspect. The {@code
 *     update_permit} still applies
 */
public record SwapRequest(@Nullable Duration timeout, boolean overrideSwapWhen, boolean rollback) {
  public SwapRequest {
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("swap timeout must be positive, not " + timeout);
    }
  }

  /** Waits for the permit and {@code swap_when} as long as the grant says. */
  public static SwapRequest standard() {
    return new SwapRequest(null, false, false);
  }

  /** Waits for the permit only, as long as the grant says: the operator overrides swap_when. */
  public static SwapRequest operatorOverride() {
    return new SwapRequest(null, true, false);
  }

  /** A rollback to the module this one replaced; waits for the permit as long as the grant says. */
  public static SwapRequest rollbackToPrevious() {
    return new SwapRequest(null, true, true);
  }

  public SwapRequest withTimeout(Duration timeout) {
    return new SwapRequest(timeout, overrideSwapWhen, rollback);
  }

  public Optional<Duration> timeoutOverride() {
    return Optional.ofNullable(timeout);
  }
}
