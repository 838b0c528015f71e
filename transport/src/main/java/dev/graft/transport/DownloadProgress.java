package dev.graft.transport;

/**
 * Where a chunk download stands, after each verified chunk.
 *
 * @param chunksHave chunks verified and written (including ones reused from a partial file)
 * @param chunksTotal chunks in the list
 * @param bytesHave bytes of verified chunks
 * @param bytesTotal the target's length
 * @param bytesReceived chunk payload bytes received from the broker in this run, good or bad
 */
public record DownloadProgress(
    int chunksHave, int chunksTotal, long bytesHave, long bytesTotal, long bytesReceived) {}
