package dev.graft.transport;

import java.time.Duration;

/**
 * The outcome of a finished publish.
 *
 * @param sent messages sent and acknowledged in this run
 * @param skipped chunk messages skipped because the journal shows a previous run had them
 *     acknowledged
 * @param bytesSent payload bytes sent in this run
 * @param elapsed how long the run took
 */
public record PublishReport(int sent, int skipped, long bytesSent, Duration elapsed) {}
