package dev.graft.transport;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.metadata.TargetFile;

/**
 * What a chunked download needs from a trusted target: its SHA-256 (the topic level), the signed
 * {@code custom.graft.chunks.list_sha256} that anchors the chunk list, and its signed length.
 */
public record ChunkTarget(String sha256, String listSha256, long length) {
  public ChunkTarget {
    Topics.sha256(sha256);
    Topics.sha256(listSha256);
    if (length < 0) {
      throw new IllegalArgumentException("target length " + length + " is negative");
    }
  }

  /**
   * Reads the expectations from a target that a {@link dev.graft.bundle.tuf.TufClient} has
   * verified.
   *
   * @throws JsonFormatException when the target has no sha256 hash or no chunk list hash
   */
  public static ChunkTarget of(TargetFile target) {
    String sha256 = target.hashes().get("sha256");
    if (sha256 == null) {
      throw new JsonFormatException("target " + target.path() + " lists no sha256 hash");
    }
    JsonObject custom =
        target
            .custom()
            .orElseThrow(() ->
                new JsonFormatException(
                    "target " + target.path() + " has no custom.graft.chunks (not chunked)"));
    String list;
    try {
      list = custom.object("graft").object("chunks").string("list_sha256");
    } catch (JsonFormatException e) {
      throw new JsonFormatException(
          "target "
              + target.path()
              + " has no usable custom.graft.chunks.list_sha256: "
              + e.getMessage(),
          e);
    }
    return new ChunkTarget(sha256, list, target.length());
  }
}
