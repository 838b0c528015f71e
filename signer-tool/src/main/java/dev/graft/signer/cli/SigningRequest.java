package dev.graft.signer.cli;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.Targets;
import dev.graft.signer.CliException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request file {@code graft sign --export} writes for a key holder on an air-gapped machine:
 * the staged {@code signed} object exactly as staged, the keys that may sign it, and the changes it
 * makes as the requesting machine describes them. {@code graft sign --request} reads it back and
 * checks it is whole before anything is signed.
 *
 * @param repository the requesting repository's absolute path, for the reader's information
 * @param signedJson the staged {@code signed} object; its canonical form is what gets signed
 * @param signed {@code signedJson} read as the role's model
 */
record SigningRequest(
    String repository,
    RoleType role,
    long version,
    String canonicalSha256,
    List<String> changes,
    Map<String, TufKey> keys,
    JsonObject signedJson,
    Signed signed) {
  static final String FORMAT_MEMBER = "graft_signing_request";
  static final int FORMAT_VERSION = 1;

  SigningRequest {
    changes = List.copyOf(changes);
    keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
  }

  /** The bytes a signature over this request covers. */
  byte[] message() {
    return CanonicalJson.encode(signedJson);
  }

  JsonObject toJson() {
    JsonObject.Builder keysJson = JsonObject.builder();
    keys.forEach((id, k) -> keysJson.put(id, k.json()));
    List<JsonValue> lines = new ArrayList<>();
    changes.forEach(l -> lines.add(new JsonString(l)));
    return JsonObject.builder()
        .put(FORMAT_MEMBER, FORMAT_VERSION)
        .put("repository", repository)
        .put("role", role.typeName())
        .put("version", version)
        .put("canonical_sha256", canonicalSha256)
        .put("changes", new JsonArray(lines))
        .put("keys", keysJson.build())
        .put("signed", signedJson)
        .build();
  }

  /**
   * Reads a request, checking its format version, that its signed object has the version it claims,
   * and that it hashes to its {@code canonical_sha256}.
   *
   * @throws CliException naming {@code file} and what is wrong with it
   */
  static SigningRequest fromJson(JsonObject json, Path file) {
    try {
      if (json.integer(FORMAT_MEMBER) != FORMAT_VERSION) {
        throw new CliException(file + " is a signing request of an unknown format version");
      }
      RoleType role = new RoleConverter().convert(json.string("role"));
      long version = json.integer("version");
      JsonObject signedJson = json.object("signed");
      byte[] message = CanonicalJson.encode(signedJson);
      Signed signed =
          role == RoleType.ROOT ? Root.fromJson(signedJson) : Targets.fromJson(signedJson);
      if (signed.version() != version) {
        throw new CliException(file + " is inconsistent: its signed object has another version");
      }
      String expected = json.string("canonical_sha256");
      if (!expected.equals(SignCommand.sha256(message))) {
        throw new CliException(
            file
                + " is damaged: its signed object does not hash to its canonical_sha256; ask for"
                + " a new request");
      }
      Map<String, TufKey> keys = new LinkedHashMap<>();
      for (Map.Entry<String, JsonValue> entry : json.object("keys").members().entrySet()) {
        if (entry.getValue() instanceof JsonObject keyJson) {
          keys.put(entry.getKey(), TufKey.fromJson(keyJson));
        }
      }
      List<String> changes = new ArrayList<>();
      for (JsonValue line : json.array("changes").values()) {
        if (line instanceof JsonString(String text)) {
          changes.add(text);
        }
      }
      String repository = json.members().get("repository") instanceof JsonString(String r) ? r : "";
      return new SigningRequest(
          repository, role, version, expected, changes, keys, signedJson, signed);
    } catch (JsonFormatException | picocli.CommandLine.TypeConversionException e) {
      throw new CliException(file + " is not a valid signing request: " + e.getMessage(), e);
    }
  }
}
