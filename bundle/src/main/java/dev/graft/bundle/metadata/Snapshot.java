package dev.graft.bundle.metadata;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonValue;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Snapshot metadata: the version (and maybe hashes) of every targets role's file. */
public record Snapshot(
    String specVersion,
    long version,
    Instant expires,
    Map<String, MetaFile> meta,
    JsonObject unrecognized)
    implements Signed {

  public Snapshot {
    meta = MetadataFields.ordered(meta);
  }

  public static Snapshot fromJson(JsonObject signed) {
    MetadataFields.requireType(signed, RoleType.SNAPSHOT);
    Map<String, MetaFile> meta = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> entry : signed.object("meta").members().entrySet()) {
      if (!(entry.getValue() instanceof JsonObject metaJson)) {
        throw new JsonFormatException("meta '" + entry.getKey() + "' must be an object");
      }
      meta.put(
          entry.getKey(),
          MetadataFields.within(
              "meta '" + entry.getKey() + "'", () -> MetaFile.fromJson(metaJson)));
    }
    return new Snapshot(
        MetadataFields.specVersion(signed),
        MetadataFields.version(signed),
        MetadataFields.expires(signed),
        meta,
        MetadataFields.unrecognized(signed, "_type", "spec_version", "version", "expires", "meta"));
  }

  /** What this snapshot says about the metadata file of a targets role, e.g. "targets". */
  public Optional<MetaFile> metaFor(String roleName) {
    return Optional.ofNullable(meta.get(roleName + ".json"));
  }

  @Override
  public RoleType roleType() {
    return RoleType.SNAPSHOT;
  }

  @Override
  public JsonObject toJson() {
    JsonObject.Builder metaJson = JsonObject.builder();
    meta.forEach((name, file) -> metaJson.put(name, file.toJson()));
    return unrecognized.toBuilder()
        .put("_type", RoleType.SNAPSHOT.typeName())
        .put("spec_version", specVersion)
        .put("version", version)
        .put("expires", MetadataFields.formatExpires(expires))
        .put("meta", metaJson.build())
        .build();
  }
}
