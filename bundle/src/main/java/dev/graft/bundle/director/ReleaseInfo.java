package dev.graft.bundle.director;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.ReleaseMismatchException;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.metadata.TargetFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The image repository's {@code custom.graft} fields of a bundle target: signed offline, so they
 * are the ones that count.
 *
 * @param chunkSize the transfer chunk size, when the release was published in chunks
 * @param chunkListSha256 SHA-256 of the published chunk list, when published in chunks
 */
public record ReleaseInfo(
    String module,
    String version,
    long releaseCounter,
    List<String> hardware,
    Optional<Long> chunkSize,
    Optional<String> chunkListSha256) {

  public ReleaseInfo {
    hardware = List.copyOf(hardware);
  }

  /**
   * Checks that a bundle's manifest names the module and version this release was signed as. The
   * manifest is inside the bundle and covered by the target hashes, but only the signed {@code
   * custom.graft} fields are what the release engineers approved, and the release counter and
   * hardware decisions were made on them.
   *
   * @param targetPath the target's path, for the message
   * @throws ReleaseMismatchException when module name or version differ
   */
  public void requireDescribes(Bundle bundle, String targetPath) {
    if (!bundle.name().equals(module) || !bundle.version().equals(version)) {
      throw ReleaseMismatchException.of(
          targetPath, bundle.name(), bundle.version(), module, version);
    }
  }

  /** Reads {@code custom.graft} of an image-repository target; refuses one without it. */
  public static ReleaseInfo fromTarget(TargetFile target) {
    JsonObject custom =
        target
            .custom()
            .orElseThrow(() ->
                new JsonFormatException("target '" + target.path() + "' has no custom fields"));
    try {
      JsonObject graft = custom.object("graft");
      long counter = graft.integer("release_counter");
      if (counter < 0) {
        throw new JsonFormatException("release_counter must not be negative, found " + counter);
      }
      List<String> hardware = new ArrayList<>();
      JsonArray list = graft.array("hardware");
      for (JsonValue value : list.values()) {
        if (!(value instanceof JsonString id)) {
          throw new JsonFormatException("hardware must list strings");
        }
        hardware.add(id.value());
      }
      Optional<JsonObject> chunks = graft.optionalObject("chunks");
      return new ReleaseInfo(
          graft.string("module"),
          graft.string("version"),
          counter,
          hardware,
          chunks.map(c -> c.integer("size")),
          chunks.map(c -> c.string("list_sha256")));
    } catch (JsonFormatException e) {
      throw new JsonFormatException(
          "target '" + target.path() + "' has malformed custom.graft: " + e.getMessage(), e);
    }
  }
}
