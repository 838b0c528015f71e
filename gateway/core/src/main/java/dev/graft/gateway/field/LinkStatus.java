package dev.graft.gateway.field;

import org.jspecify.annotations.Nullable;

/**
 * The health of one device link, for status reports and tests.
 *
 * @param up whether the device answered the last request
 * @param failedAttempts requests and connection attempts that found the link down
 * @param connects how often the link came up (the first time included)
 * @param writes output writes the device answered (accepted or refused)
 * @param lastFailure why the link was last found down (e.g. a refused DTLS handshake), or {@code
 *     null} if it never was; kept after the link comes back
 */
public record LinkStatus(
    String device,
    boolean up,
    long failedAttempts,
    long connects,
    long writes,
    @Nullable String lastFailure) {}
