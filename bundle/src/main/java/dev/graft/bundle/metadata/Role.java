package dev.graft.bundle.metadata;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** A top-level role entry in root: which key ids may sign it and how many must. */
public record Role(List<String> keyIds, int threshold, JsonObject unrecognized) {
  public Role {
    keyIds = List.copyOf(keyIds);
    if (threshold < 1) {
      throw new JsonFormatException("role threshold must be at least 1, found " + threshold);
    }
    if (new LinkedHashSet<>(keyIds).size() != keyIds.size()) {
      throw new JsonFormatException("role lists a key id more than once");
    }
  }

  public static Role of(List<String> keyIds, int threshold) {
    return new Role(keyIds, threshold, JsonObject.empty());
  }

  static Role fromJson(JsonObject json) {
    return new Role(
        MetadataFields.strings(json.array("keyids"), "keyids"),
        MetadataFields.threshold(json),
        MetadataFields.unrecognized(json, "keyids", "threshold"));
  }

  JsonObject toJson() {
    List<JsonValue> ids = new ArrayList<>();
    keyIds.forEach(id -> ids.add(new JsonString(id)));
    return unrecognized.toBuilder()
        .put("keyids", new JsonArray(ids))
        .put("threshold", threshold)
        .build();
  }
}
