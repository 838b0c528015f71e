package dev.graft.bundle.metadata;

import dev.graft.bundle.json.JsonObject;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What timestamp and snapshot say about another metadata file: its version, maybe length and
 * hashes.
 */
public record MetaFile(
    long version, OptionalLong length, Map<String, String> hashes, JsonObject unrecognized) {
  public MetaFile {
    hashes = MetadataFields.ordered(hashes);
  }

  public static MetaFile of(long version) {
    return new MetaFile(version, OptionalLong.empty(), Map.of(), JsonObject.empty());
  }

  static MetaFile fromJson(JsonObject json) {
    return new MetaFile(
        MetadataFields.version(json),
        json.has("length") ? OptionalLong.of(MetadataFields.length(json)) : OptionalLong.empty(),
        json.has("hashes") ? MetadataFields.hashes(json) : Map.of(),
        MetadataFields.unrecognized(json, "version", "length", "hashes"));
  }

  JsonObject toJson() {
    JsonObject.Builder builder = unrecognized.toBuilder().put("version", version);
    length.ifPresent(l -> builder.put("length", l));
    if (!hashes.isEmpty()) {
      builder.put("hashes", MetadataFields.hashesJson(hashes));
    }
    return builder.build();
  }
}
