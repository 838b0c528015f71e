package dev.graft.gateway.agent.journal;

import static java.util.Objects.requireNonNull;

/**
 * Where the current update stands: a pipeline state and the target (the TUF target path) it
 * concerns.
 */
public record UpdateState(PipelineState state, String target) {
  public UpdateState {
    requireNonNull(state, "state");
    requireNonNull(target, "target");
    if (target.isBlank() || target.length() > 1024) {
      throw new IllegalArgumentException(
          "target must be a non-blank TUF target path of at most 1024 characters, got \""
              + target
              + "\"");
    }
  }
}
