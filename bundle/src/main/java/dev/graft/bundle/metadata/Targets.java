package dev.graft.bundle.metadata;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonValue;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Targets metadata (top-level or delegated): the targets it lists and whom it delegates to. */
public record Targets(
    String specVersion,
    long version,
    Instant expires,
    Map<String, TargetFile> targets,
    Optional<Delegations> delegations,
    JsonObject unrecognized)
    implements Signed {

  public Targets {
    targets = MetadataFields.ordered(targets);
  }

  public static Targets fromJson(JsonObject signed) {
    MetadataFields.requireType(signed, RoleType.TARGETS);
    Map<String, TargetFile> targets = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> entry : signed.object("targets").members().entrySet()) {
      if (!(entry.getValue() instanceof JsonObject targetJson)) {
        throw new JsonFormatException("target '" + entry.getKey() + "' must be an object");
      }
      targets.put(
          entry.getKey(),
          MetadataFields.within(
              "target '" + entry.getKey() + "'",
              () -> TargetFile.fromJson(entry.getKey(), targetJson)));
    }
    return new Targets(
        MetadataFields.specVersion(signed),
        MetadataFields.version(signed),
        MetadataFields.expires(signed),
        targets,
        signed.optionalObject("delegations").map(Delegations::fromJson),
        MetadataFields.unrecognized(
            signed, "_type", "spec_version", "version", "expires", "targets", "delegations"));
  }

  @Override
  public RoleType roleType() {
    return RoleType.TARGETS;
  }

  @Override
  public JsonObject toJson() {
    JsonObject.Builder targetsJson = JsonObject.builder();
    targets.forEach((path, target) -> targetsJson.put(path, target.toJson()));
    JsonObject.Builder builder =
        unrecognized.toBuilder()
            .put("_type", RoleType.TARGETS.typeName())
            .put("spec_version", specVersion)
            .put("version", version)
            .put("expires", MetadataFields.formatExpires(expires))
            .put("targets", targetsJson.build());
    delegations.ifPresent(d -> builder.put("delegations", d.toJson()));
    return builder.build();
  }
}
