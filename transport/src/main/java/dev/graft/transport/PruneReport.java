package dev.graft.transport;

import java.util.List;

/**
 * What a prune removed.
 *
 * @param removedTargets the SHA-256 of every target whose chunk list and chunks were cleared
 * @param clearedTopics how many retained topics were cleared (chunks and chunk lists)
 */
public record PruneReport(List<String> removedTargets, int clearedTopics) {
  public PruneReport {
    removedTargets = List.copyOf(removedTargets);
  }
}
