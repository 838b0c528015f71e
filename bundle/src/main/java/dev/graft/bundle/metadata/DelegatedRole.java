package dev.graft.bundle.metadata;

import dev.graft.bundle.Digests;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * A role that a targets role delegates to, for the target paths matched by either its {@code paths}
 * patterns or its {@code path_hash_prefixes} (exactly one of the two).
 */
public record DelegatedRole(
    String name,
    List<String> keyIds,
    int threshold,
    boolean terminating,
    Optional<List<String>> paths,
    Optional<List<String>> pathHashPrefixes,
    JsonObject unrecognized) {

  public DelegatedRole {
    keyIds = List.copyOf(keyIds);
    paths = paths.map(List::copyOf);
    pathHashPrefixes = pathHashPrefixes.map(List::copyOf);
    if (threshold < 1) {
      throw new JsonFormatException("delegated role '" + name + "' has threshold " + threshold);
    }
    if (new LinkedHashSet<>(keyIds).size() != keyIds.size()) {
      throw new JsonFormatException("delegated role '" + name + "' lists a key id more than once");
    }
    if (paths.isPresent() == pathHashPrefixes.isPresent()) {
      throw new JsonFormatException(
          "delegated role '" + name + "' must have exactly one of paths and path_hash_prefixes");
    }
    for (RoleType top : RoleType.values()) {
      if (top.typeName().equals(name)) {
        throw new JsonFormatException("delegated role name '" + name + "' is reserved");
      }
    }
  }

  static DelegatedRole fromJson(JsonObject json) {
    return new DelegatedRole(
        json.string("name"),
        MetadataFields.strings(json.array("keyids"), "keyids"),
        MetadataFields.threshold(json),
        json.bool("terminating"),
        json.optionalArray("paths").map(a -> MetadataFields.strings(a, "paths")),
        json.optionalArray("path_hash_prefixes")
            .map(a -> MetadataFields.strings(a, "path_hash_prefixes")),
        MetadataFields.unrecognized(
            json, "name", "keyids", "threshold", "terminating", "paths", "path_hash_prefixes"));
  }

  JsonObject toJson() {
    JsonObject.Builder builder =
        unrecognized.toBuilder()
            .put("name", name)
            .put("keyids", MetadataFields.stringArray(keyIds))
            .put("threshold", threshold)
            .put("terminating", terminating);
    paths.ifPresent(p -> builder.put("paths", MetadataFields.stringArray(p)));
    pathHashPrefixes.ifPresent(
        p -> builder.put("path_hash_prefixes", MetadataFields.stringArray(p)));
    return builder.build();
  }

  /**
   * Whether this role is trusted for the target path. Patterns match like the TUF reference client:
   * the path and the pattern must have the same number of {@code /}-separated parts, and each part
   * matches as a shell wildcard ({@code *} and {@code ?} never cross a {@code /}).
   */
  public boolean isTrustedFor(String targetPath) {
    if (paths.isPresent()) {
      for (String pattern : paths.get()) {
        if (PathPattern.matches(pattern, targetPath)) {
          return true;
        }
      }
      return false;
    }
    String digest = sha256Hex(targetPath);
    for (String prefix : pathHashPrefixes.orElseThrow()) {
      if (digest.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static String sha256Hex(String text) {
    return Digests.sha256Hex(text);
  }
}
