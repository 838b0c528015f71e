package dev.graft.gateway.agent.report;

import java.util.Optional;

/** The report topics under {@code graft/v1/gw/{gateway}/}, as {@code protocol.md} lists them. */
public enum ReportKind {
  /** Installed, staged and running module, versions, update state, flags, audit chain head. */
  STATUS("status"),
  /** Progress, refusals with reasons, rollbacks with explanation, audit records. */
  EVENTS("events"),
  /** Tick statistics and field KPIs that rollout gates use. */
  HEALTH("health");

  private final String wireName;

  ReportKind(String wireName) {
    this.wireName = wireName;
  }

  /** The name in the {@code kind} member and in the topic. */
  public String wireName() {
    return wireName;
  }

  /** The kind with this wire name; empty for any other name, which a verifier refuses. */
  public static Optional<ReportKind> fromWireName(String name) {
    for (ReportKind kind : values()) {
      if (kind.wireName.equals(name)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
