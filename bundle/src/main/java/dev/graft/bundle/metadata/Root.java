package dev.graft.bundle.metadata;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.TufKey;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Root metadata: the keys and thresholds of every top-level role. */
public record Root(
    String specVersion,
    long version,
    Instant expires,
    boolean consistentSnapshot,
    Map<String, TufKey> keys,
    Map<RoleType, Role> roles,
    JsonObject unrecognized)
    implements Signed {

  public Root {
    keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    EnumMap<RoleType, Role> copy = new EnumMap<>(RoleType.class);
    copy.putAll(roles);
    if (copy.size() != RoleType.values().length) {
      throw new JsonFormatException(
          "root must define the roles root, targets, snapshot and timestamp");
    }
    roles = Collections.unmodifiableMap(copy);
  }

  public static Root fromJson(JsonObject signed) {
    MetadataFields.requireType(signed, RoleType.ROOT);
    Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
    JsonObject rolesJson = signed.object("roles");
    for (Map.Entry<String, JsonValue> entry : rolesJson.members().entrySet()) {
      RoleType type = null;
      for (RoleType candidate : RoleType.values()) {
        if (candidate.typeName().equals(entry.getKey())) {
          type = candidate;
        }
      }
      if (type == null) {
        throw new JsonFormatException("root names an unknown role '" + entry.getKey() + "'");
      }
      if (!(entry.getValue() instanceof JsonObject roleJson)) {
        throw new JsonFormatException("role '" + entry.getKey() + "' must be an object");
      }
      roles.put(
          type,
          MetadataFields.within("role '" + entry.getKey() + "'", () -> Role.fromJson(roleJson)));
    }
    return new Root(
        MetadataFields.specVersion(signed),
        MetadataFields.version(signed),
        MetadataFields.expires(signed),
        signed.bool("consistent_snapshot"),
        MetadataFields.keys(signed),
        roles,
        MetadataFields.unrecognized(
            signed,
            "_type",
            "spec_version",
            "version",
            "expires",
            "consistent_snapshot",
            "keys",
            "roles"));
  }

  @Override
  public RoleType roleType() {
    return RoleType.ROOT;
  }

  public Role role(RoleType type) {
    Role role = roles.get(type);
    if (role == null) {
      throw new IllegalStateException("root always defines every top-level role");
    }
    return role;
  }

  @Override
  public JsonObject toJson() {
    JsonObject.Builder rolesJson = JsonObject.builder();
    roles.forEach((type, role) -> rolesJson.put(type.typeName(), role.toJson()));
    return unrecognized.toBuilder()
        .put("_type", RoleType.ROOT.typeName())
        .put("spec_version", specVersion)
        .put("version", version)
        .put("expires", MetadataFields.formatExpires(expires))
        .put("consistent_snapshot", consistentSnapshot)
        .put("keys", MetadataFields.keysJson(keys))
        .put("roles", rolesJson.build())
        .build();
  }
}
