package dev.graft.bundle.keys;

import dev.graft.bundle.Digests;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import java.util.Optional;

/**
 * A public key as a TUF key object: {@code {"keytype", "scheme", "keyval": {"public"}}}, with any
 * other members kept exactly as received so the key id and signed bytes stay the same.
 */
public record TufKey(String keyType, String scheme, String publicValue, JsonObject json) {

  /** Reads a key object; refuses one that lacks the members every TUF key has. */
  public static TufKey fromJson(JsonObject json) {
    try {
      JsonObject keyval = json.object("keyval");
      return new TufKey(
          json.string("keytype"), json.string("scheme"), keyval.string("public"), json);
    } catch (JsonFormatException e) {
      throw new JsonFormatException("malformed key object: " + e.getMessage(), e);
    }
  }

  /** A fresh key object with exactly the standard members. */
  public static TufKey of(KeyType type, String publicValue) {
    JsonObject json =
        JsonObject.builder()
            .put("keytype", type.keyType())
            .put("scheme", type.scheme())
            .put("keyval", JsonObject.builder().put("public", publicValue).build())
            .build();
    return new TufKey(type.keyType(), type.scheme(), publicValue, json);
  }

  /** The known type, or empty when the keytype/scheme pair is not one Graft implements. */
  public Optional<KeyType> type() {
    return KeyType.of(keyType, scheme);
  }

  /** The key id as TUF defines it: hex SHA-256 of the key object's canonical JSON. */
  public String keyId() {
    return Digests.sha256Hex(CanonicalJson.encode(json));
  }
}
