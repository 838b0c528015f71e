package dev.graft.gateway.agent;

import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonNull;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.gateway.agent.journal.ModuleRef;
import dev.graft.gateway.field.LinkStatus;
import dev.graft.gateway.scan.ScanStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the agent's {@code status} and {@code health} reports say, as JSON (docs/agent.md). */
final class ReportContent {
  private ReportContent() {}

  /** The content of a {@code status} report. */
  static JsonObject status(AgentStatus status) {
    JsonObject.Builder json = JsonObject.builder();
    json.put("installed", module(status.installed()));
    json.put("previous", module(status.previous()));
    json.put("staged", module(status.staged()));
    json.put("running", module(status.running()));
    json.put(
        "update",
        status
            .update()
            .<JsonValue>map(u ->
                JsonObject.builder()
                    .put("state", u.state().name())
                    .put("target", u.target())
                    .build())
            .orElse(JsonNull.INSTANCE));
    json.put("release_floor", status.releaseFloor());
    json.put(
        "update_lock",
        status
            .lock()
            .<JsonValue>map(l ->
                JsonObject.builder()
                    .put("by", l.by())
                    .put("reason", l.reason())
                    .put("since", l.since().toString())
                    .build())
            .orElse(JsonNull.INSTANCE));
    json.put("blocked", status.blocked().<JsonValue>map(JsonString::new).orElse(JsonNull.INSTANCE));
    json.put("alarm", status.alarm().<JsonValue>map(JsonString::new).orElse(JsonNull.INSTANCE));
    json.put("failed_hashes", status.failedHashes().size());
    json.put(
        "audit",
        status
            .auditHead()
            .<JsonValue>map(
                h -> JsonObject.builder().put("seq", h.seq()).put("sha256", h.sha256()).build())
            .orElse(JsonNull.INSTANCE));
    return json.build();
  }

  private static JsonValue module(Optional<ModuleRef> module) {
    return module
        .<JsonValue>map(m ->
            JsonObject.builder()
                .put("name", m.name())
                .put("version", m.version())
                .put("sha256", m.sha256())
                .put("release_counter", m.releaseCounter())
                .build())
        .orElse(JsonNull.INSTANCE);
  }

  static JsonArray strings(List<String> lines) {
    return new JsonArray(lines.stream().<JsonValue>map(JsonString::new).toList());
  }

  /** The content of a {@code health} report: the scan statistics and every field link. */
  static JsonObject health(Optional<ScanStats> scan, List<LinkStatus> links) {
    JsonObject.Builder health = JsonObject.builder();
    if (scan.isPresent()) {
      ScanStats stats = scan.get();
      health
          .put("module", stats.module())
          .put("version", stats.version())
          .put("ticks", stats.ticks())
          .put("missed_slots", stats.missedSlots())
          .put("overruns", stats.overruns())
          .put("faults", stats.faults())
          .put("swaps", stats.swaps())
          .put("max_lateness_us", stats.maxLatenessNanos() / 1000)
          .put("max_tick_us", stats.maxDurationNanos() / 1000);
    } else {
      health.put("module", JsonNull.INSTANCE);
    }
    List<JsonValue> linkStates = new ArrayList<>();
    for (LinkStatus status : links) {
      linkStates.add(
          JsonObject.builder()
              .put("device", status.device())
              .put("up", status.up())
              .put("failed_attempts", status.failedAttempts())
              .build());
    }
    health.put("links", new JsonArray(linkStates));
    return health.build();
  }
}
