package dev.graft.transport;

/**
 * Where a publish stands, after each acknowledged message: enough for a progress bar.
 *
 * @param bytesDone payload bytes acknowledged by the broker in this run
 * @param bytesTotal payload bytes this run has to send (acknowledged earlier ones excluded)
 * @param messagesDone messages acknowledged in this run
 * @param messagesTotal messages this run has to send
 * @param chunksDone chunks acknowledged in this run
 * @param chunksTotal chunks this run has to send
 * @param skipped messages a previous, interrupted run already had acknowledged
 * @param bytesPerSecond average throughput of this run so far
 */
public record PublishProgress(
    long bytesDone,
    long bytesTotal,
    int messagesDone,
    int messagesTotal,
    int chunksDone,
    int chunksTotal,
    int skipped,
    double bytesPerSecond) {}
