package dev.graft.transport;

import dev.graft.bundle.Digests;
import dev.graft.bundle.format.ChunkList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What one {@code graft publish} puts on the broker: metadata files and target files as bytes. The
 * file layout they came from is the caller's business.
 *
 * @param metadata image-repository metadata: every root version, the timestamp, and snapshot,
 *     targets and delegated roles by version
 * @param targets the target files (bundles), published as chunk lists and chunks
 */
public record PublishSet(List<MetadataFile> metadata, List<TargetBlob> targets) {
  public PublishSet {
    metadata = List.copyOf(metadata);
    targets = List.copyOf(targets);
  }

  /**
   * One metadata file as {@link dev.graft.bundle.tuf.Repository} names it: role and version ({@code
   * 3.root.json} is role {@code root}, version 3; {@code timestamp.json} has no version).
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out; not meant to be compared
  public record MetadataFile(String role, OptionalLong version, byte[] bytes) {
    public MetadataFile {
      Topics.repoMetadata(role, version); // validates the name and the version rule
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    String topic() {
      return Topics.repoMetadata(role, version);
    }

    byte[] payload() {
      return bytes;
    }
  }

  /**
   * One target file, cut into chunks of {@code chunkSize} bytes; the chunk size must be the one
   * whose chunk list the signed target names ({@code custom.graft.chunks}).
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out; not meant to be compared
  public record TargetBlob(byte[] bytes, int chunkSize) {
    public TargetBlob {
      bytes = bytes.clone();
      ChunkList.of(new byte[0], chunkSize); // validates the chunk size with the list's own rule
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** The lowercase hex SHA-256 of the file: the {@code {sha256}} level of its topics. */
    public String sha256() {
      return Digests.sha256Hex(bytes);
    }

    public ChunkList chunkList() {
      return ChunkList.of(bytes, chunkSize);
    }

    byte[] payload() {
      return bytes;
    }
  }
}
