package dev.graft.bundle.metadata;

import dev.graft.bundle.json.JsonObject;
import java.util.Map;
import java.util.Optional;

/** A target as targets metadata lists it: path, length, hashes and optional custom data. */
public record TargetFile(
    String path,
    long length,
    Map<String, String> hashes,
    Optional<JsonObject> custom,
    JsonObject unrecognized) {
  public TargetFile {
    hashes = MetadataFields.ordered(hashes);
  }

  public static TargetFile of(
      String path, long length, Map<String, String> hashes, Optional<JsonObject> custom) {
    return new TargetFile(path, length, hashes, custom, JsonObject.empty());
  }

  static TargetFile fromJson(String path, JsonObject json) {
    return new TargetFile(
        path,
        MetadataFields.length(json),
        MetadataFields.hashes(json),
        json.optionalObject("custom"),
        MetadataFields.unrecognized(json, "length", "hashes", "custom"));
  }

  JsonObject toJson() {
    JsonObject.Builder builder =
        unrecognized.toBuilder()
            .put("length", length)
            .put("hashes", MetadataFields.hashesJson(hashes));
    custom.ifPresent(c -> builder.put("custom", c));
    return builder.build();
  }
}
