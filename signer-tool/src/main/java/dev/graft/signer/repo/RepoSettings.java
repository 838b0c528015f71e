package dev.graft.signer.repo;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.metadata.RoleType;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A repository's own settings, kept in {@code graft-repository.json} beside the metadata (not
 * served): how long each role's metadata lives when it is re-signed, and where the online snapshot
 * and timestamp keys are (key file paths relative to the repository, or {@code pkcs11:} URIs with a
 * {@code pin-source}). It holds no secret.
 *
 * @param classical whether the repository was created Ed25519-only
 * @param lifetimes how far in the future each role's {@code expires} is set when it is signed
 * @param onlineKeys key references for snapshot and timestamp; several when a key is rotated
 */
public record RepoSettings(
    boolean classical, Map<RoleType, Duration> lifetimes, Map<RoleType, List<String>> onlineKeys) {
  public static final String FILE_NAME = "graft-repository.json";

  /** Root 1 year, targets 3 months, snapshot 1 week, timestamp 1 day: see docs/cli.md. */
  public static final Map<RoleType, Duration> DEFAULT_LIFETIMES =
      Map.of(
          RoleType.ROOT, Duration.ofDays(365),
          RoleType.TARGETS, Duration.ofDays(90),
          RoleType.SNAPSHOT, Duration.ofDays(7),
          RoleType.TIMESTAMP, Duration.ofDays(1));

  public RepoSettings {
    EnumMap<RoleType, Duration> copy = new EnumMap<>(RoleType.class);
    copy.putAll(DEFAULT_LIFETIMES);
    copy.putAll(lifetimes);
    lifetimes = Map.copyOf(copy);
    EnumMap<RoleType, List<String>> keys = new EnumMap<>(RoleType.class);
    onlineKeys.forEach((role, refs) -> keys.put(role, List.copyOf(refs)));
    onlineKeys = Map.copyOf(keys);
  }

  public Duration lifetime(RoleType role) {
    // The constructor fills in a default for every role.
    return java.util.Objects.requireNonNull(lifetimes.get(role));
  }

  public List<String> onlineKeys(RoleType role) {
    return onlineKeys.getOrDefault(role, List.of());
  }

  /** These settings with {@code reference} added to {@code role}'s online keys. */
  public RepoSettings withOnlineKey(RoleType role, String reference) {
    Map<RoleType, List<String>> keys = new EnumMap<>(RoleType.class);
    keys.putAll(onlineKeys);
    List<String> refs = new ArrayList<>(onlineKeys(role));
    if (!refs.contains(reference)) {
      refs.add(reference);
    }
    keys.put(role, refs);
    return new RepoSettings(classical, lifetimes, keys);
  }

  byte[] toBytes() {
    JsonObject.Builder lifetimeJson = JsonObject.builder();
    for (RoleType role : RoleType.values()) {
      lifetimeJson.put(role.typeName(), lifetime(role).toString());
    }
    JsonObject.Builder keysJson = JsonObject.builder();
    onlineKeys.forEach((role, refs) -> {
      List<JsonValue> values = new ArrayList<>();
      refs.forEach(r -> values.add(new JsonString(r)));
      keysJson.put(role.typeName(), new JsonArray(values));
    });
    return PrettyJson.encode(
        JsonObject.builder()
            .put("graft_repository", 1)
            .put("classical", classical)
            .put("lifetimes", lifetimeJson.build())
            .put("online_keys", keysJson.build())
            .build());
  }

  static RepoSettings parse(byte[] bytes, String fileName) {
    try {
      JsonObject json = JsonParser.withDefaults().parseObject(bytes);
      if (json.integer("graft_repository") != 1) {
        throw new RepoException(
            fileName
                + " has graft_repository "
                + json.integer("graft_repository")
                + "; this graft"
                + " reads version 1");
      }
      Map<RoleType, Duration> lifetimes = new EnumMap<>(RoleType.class);
      JsonObject lifetimeJson = json.object("lifetimes");
      Map<RoleType, List<String>> keys = new EnumMap<>(RoleType.class);
      JsonObject keysJson = json.object("online_keys");
      for (RoleType role : RoleType.values()) {
        if (lifetimeJson.has(role.typeName())) {
          lifetimes.put(role, Duration.parse(lifetimeJson.string(role.typeName())));
        }
        if (keysJson.has(role.typeName())) {
          List<String> refs = new ArrayList<>();
          for (JsonValue value : keysJson.array(role.typeName()).values()) {
            if (!(value instanceof JsonString(String ref))) {
              throw new RepoException(fileName + ": online_keys entries must be strings");
            }
            refs.add(ref);
          }
          keys.put(role, refs);
        }
      }
      return new RepoSettings(json.bool("classical"), lifetimes, keys);
    } catch (JsonFormatException | DateTimeParseException e) {
      throw new RepoException(
          fileName + " is not a valid repository settings file: " + e.getMessage(), e);
    }
  }
}
