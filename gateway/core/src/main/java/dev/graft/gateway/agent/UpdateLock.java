package dev.graft.gateway.agent;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** The local update lock: who holds it, why, since when. While it is held no swap is made. */
public record UpdateLock(String by, String reason, Instant since) {
  public UpdateLock {
    requireNonNull(since, "since");
    if (by.isBlank() || by.length() > 200 || reason.length() > 500) {
      throw new IllegalArgumentException(
          "the update lock needs who takes it (1–200 characters) and a reason of at most 500");
    }
  }
}
