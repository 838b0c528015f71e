package dev.graft.gateway.agent.report;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/** The one mapping between {@link Report} and its {@code signed} JSON object. */
final class ReportJson {
  /** Keeps a gateway-key signature over some other JSON document from passing as a report. */
  static final String TYPE = "graft-report";

  private static final Set<String> MEMBERS =
      Set.of("_type", "gateway", "counter", "time", "kind", "director_targets", "content");

  private ReportJson() {}

  static JsonObject toSigned(Report report) {
    JsonObject.Builder signed =
        JsonObject.builder()
            .put("_type", TYPE)
            .put("gateway", report.gatewayId())
            .put("counter", report.counter())
            .put("time", report.time().toString())
            .put("kind", report.kind().wireName());
    report
        .directorTargetsSha256()
        .ifPresent(hash ->
            signed.put("director_targets", JsonObject.builder().put("sha256", hash).build()));
    return signed.put("content", report.content()).build();
  }

  /**
   * Reads a signed object whose signature has already been checked, so its content is the gateway's
   * own; unknown members are still refused, so nothing the verifier does not check can ride along.
   *
   * @throws JsonFormatException when a member is missing, of the wrong type, or unknown
   */
  static Report fromSigned(JsonObject signed, ReportKind kind) {
    for (String member : signed.members().keySet()) {
      if (!MEMBERS.contains(member)) {
        throw new JsonFormatException("unknown member '" + member + "' in a report");
      }
    }
    if (!TYPE.equals(signed.string("_type"))) {
      throw new JsonFormatException(
          "_type is '" + signed.string("_type") + "', expected '" + TYPE + "'");
    }
    Optional<String> directorTargets = Optional.empty();
    Optional<JsonObject> targets = signed.optionalObject("director_targets");
    if (targets.isPresent()) {
      if (targets.get().size() != 1) {
        throw new JsonFormatException("director_targets must hold exactly one member, sha256");
      }
      directorTargets = Optional.of(targets.get().string("sha256"));
    }
    Instant time;
    try {
      time = Instant.parse(signed.string("time"));
    } catch (DateTimeParseException e) {
      throw new JsonFormatException("report time is not an ISO-8601 instant", e);
    }
    try {
      return new Report(
          signed.string("gateway"),
          signed.integer("counter"),
          time,
          kind,
          directorTargets,
          signed.object("content"));
    } catch (IllegalArgumentException e) {
      throw new JsonFormatException(String.valueOf(e.getMessage()), e);
    }
  }
}
