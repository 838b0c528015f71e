package dev.graft.gateway.field;

/**
 * The health of one device link, for status reports and tests.
 *
 * @param up whether the device answered the last request
 * @param failedAttempts requests and connection attempts that found the link down
 * @param connects how often the link came up (the first time included)
 * @param writes output writes the device answered (accepted or refused)
 */
public record LinkStatus(
    String device, boolean up, long failedAttempts, long connects, long writes) {}
