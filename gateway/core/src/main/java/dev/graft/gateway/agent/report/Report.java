package dev.graft.gateway.agent.report;

import dev.graft.bundle.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code signed} part of one gateway report: who sent it, its place in the gateway's counter
 * sequence, the gateway's time, what kind of report it is, the director targets it acted on (when
 * it acted on any) and the kind-specific content.
 *
 * @param gatewayId the gateway id, as in the director's {@code signed.gateway}
 * @param counter strictly increasing over all of the gateway's reports, whatever their kind; from 1
 * @param time the gateway's clock when it signed, to the millisecond
 * @param directorTargetsSha256 lowercase hex SHA-256 of the director targets metadata the gateway
 *     acted on
 * @param content the kind-specific members
 */
public record Report(
    String gatewayId,
    long counter,
    Instant time,
    ReportKind kind,
    Optional<String> directorTargetsSha256,
    JsonObject content) {

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  public Report {
    if (gatewayId.isBlank()) {
      throw new IllegalArgumentException("a report needs a gateway id");
    }
    if (counter < 1) {
      throw new IllegalArgumentException("report counter must be at least 1, was " + counter);
    }
    if (!time.truncatedTo(ChronoUnit.MILLIS).equals(time)) {
      throw new IllegalArgumentException("report time is kept to the millisecond, was " + time);
    }
    directorTargetsSha256.ifPresent(hash -> {
      if (!SHA256_HEX.matcher(hash).matches()) {
        throw new IllegalArgumentException(
            "director targets hash must be 64 lowercase hex digits (SHA-256), was '" + hash + "'");
      }
    });
  }
}
