package dev.graft.bundle.metadata;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.TufKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The keys and ordered delegated roles of a targets role. */
public record Delegations(
    Map<String, TufKey> keys, List<DelegatedRole> roles, JsonObject unrecognized) {
  public Delegations {
    keys = MetadataFields.ordered(keys);
    roles = List.copyOf(roles);
    Set<String> names = new HashSet<>();
    for (DelegatedRole role : roles) {
      if (!names.add(role.name())) {
        throw new JsonFormatException("delegations name role '" + role.name() + "' twice");
      }
    }
  }

  static Delegations fromJson(JsonObject json) {
    if (json.has("succinct_roles")) {
      throw new JsonFormatException("succinct_roles delegations are not supported");
    }
    List<DelegatedRole> roles = new ArrayList<>();
    for (JsonValue value : json.array("roles").values()) {
      if (!(value instanceof JsonObject roleJson)) {
        throw new JsonFormatException("delegated roles must be objects, found " + value.typeName());
      }
      String what =
          roleJson.get("name") instanceof dev.graft.bundle.json.JsonString name
              ? "delegated role '" + name.value() + "'"
              : "delegated role " + (roles.size() + 1);
      roles.add(MetadataFields.within(what, () -> DelegatedRole.fromJson(roleJson)));
    }
    return new Delegations(
        MetadataFields.keys(json), roles, MetadataFields.unrecognized(json, "keys", "roles"));
  }

  public Optional<DelegatedRole> role(String name) {
    return roles.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  JsonObject toJson() {
    List<JsonValue> rolesJson = new ArrayList<>();
    roles.forEach(r -> rolesJson.add(r.toJson()));
    return unrecognized.toBuilder()
        .put("keys", MetadataFields.keysJson(keys))
        .put("roles", new JsonArray(rolesJson))
        .build();
  }
}
