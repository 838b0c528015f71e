package dev.graft.bundle.metadata;

import dev.graft.bundle.json.JsonObject;
import java.util.HexFormat;
import java.util.Optional;

/** One entry of a metadata file's {@code signatures} list: a key id and a hex signature. */
public record Signature(String keyId, String sigHex, JsonObject unrecognized) {

  public static Signature of(String keyId, byte[] signature) {
    return new Signature(keyId, HexFormat.of().formatHex(signature), JsonObject.empty());
  }

  static Signature fromJson(JsonObject json) {
    return new Signature(
        json.string("keyid"),
        json.string("sig"),
        MetadataFields.unrecognized(json, "keyid", "sig"));
  }

  /** The signature bytes, or empty when the hex is malformed (such a signature never verifies). */
  public Optional<byte[]> bytes() {
    try {
      return Optional.of(HexFormat.of().parseHex(sigHex));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  JsonObject toJson() {
    return unrecognized.toBuilder().put("keyid", keyId).put("sig", sigHex).build();
  }
}
