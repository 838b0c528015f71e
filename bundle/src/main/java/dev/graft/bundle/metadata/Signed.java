package dev.graft.bundle.metadata;

import dev.graft.bundle.json.JsonObject;
import java.time.Instant;

/** What every {@code signed} object has in common. */
public sealed interface Signed permits Root, Targets, Snapshot, Timestamp {
  /** The TUF specification version that metadata written by Graft declares. */
  String SPEC_VERSION = "1.0.31";

  RoleType roleType();

  String specVersion();

  long version();

  Instant expires();

  /** Members this model does not know, kept so nothing is lost on a round trip. */
  JsonObject unrecognized();

  /** This object as JSON: known members from the fields, then the unrecognized ones. */
  JsonObject toJson();

  default boolean isExpired(Instant now) {
    return !now.isBefore(expires());
  }
}
