package dev.graft.bundle.metadata;

import dev.graft.bundle.json.JsonObject;
import java.time.Instant;

/** Timestamp metadata: the current snapshot's version, and maybe its length and hashes. */
public record Timestamp(
    String specVersion,
    long version,
    Instant expires,
    MetaFile snapshotMeta,
    JsonObject unrecognized)
    implements Signed {

  public static Timestamp fromJson(JsonObject signed) {
    MetadataFields.requireType(signed, RoleType.TIMESTAMP);
    JsonObject meta = signed.object("meta");
    return new Timestamp(
        MetadataFields.specVersion(signed),
        MetadataFields.version(signed),
        MetadataFields.expires(signed),
        MetadataFields.within(
            "meta 'snapshot.json'", () -> MetaFile.fromJson(meta.object("snapshot.json"))),
        MetadataFields.unrecognized(signed, "_type", "spec_version", "version", "expires", "meta"));
  }

  @Override
  public RoleType roleType() {
    return RoleType.TIMESTAMP;
  }

  @Override
  public JsonObject toJson() {
    return unrecognized.toBuilder()
        .put("_type", RoleType.TIMESTAMP.typeName())
        .put("spec_version", specVersion)
        .put("version", version)
        .put("expires", MetadataFields.formatExpires(expires))
        .put("meta", JsonObject.builder().put("snapshot.json", snapshotMeta.toJson()).build())
        .build();
  }
}
