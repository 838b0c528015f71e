package dev.graft.transport;

/**
 * The outcome of a finished chunk download.
 *
 * @param bytesReceived chunk payload bytes received from the broker in this run, good or bad
 * @param chunksReceived chunks verified and written in this run
 * @param chunksReused chunks found already verified in the partial file of an earlier attempt
 * @param chunksRejected chunks that failed their hash or length and were dropped
 */
public record DownloadReport(
    long bytesReceived, int chunksReceived, int chunksReused, int chunksRejected) {}
