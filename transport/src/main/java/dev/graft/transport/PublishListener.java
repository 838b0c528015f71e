package dev.graft.transport;

/**
 * Told after every acknowledged message; called on the publishing thread. Throwing stops the
 * publish (what was acknowledged so far stays in the journal).
 */
@FunctionalInterface
public interface PublishListener {
  PublishListener NONE = progress -> {};

  void onProgress(PublishProgress progress);
}
