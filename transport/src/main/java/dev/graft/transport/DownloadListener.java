package dev.graft.transport;

/**
 * Told after every verified chunk, on the downloading thread. Throwing stops the download; the
 * verified chunks stay in the partial file for the next attempt.
 */
@FunctionalInterface
public interface DownloadListener {
  DownloadListener NONE = progress -> {};

  void onChunk(DownloadProgress progress);
}
