package dev.graft.transport.testing;

import dev.graft.bundle.format.ChunkList;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.Snapshot;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.metadata.Timestamp;
import dev.graft.transport.PublishSet;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A small signed image repository built in memory with the trust core's own types: one software key
 * per role, consistent snapshots, targets carrying {@code custom.graft.chunks}. {@link
 * #publishSet()} hands everything to a {@link dev.graft.transport.Publisher}.
 */
public final class SampleRepository {

  private final Map<RoleType, Signer> keys = new EnumMap<>(RoleType.class);
  private final Instant expires =
      Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
  private final List<byte[]> roots = new ArrayList<>();
  private final Map<String, TargetFile> targets = new LinkedHashMap<>();
  private final Map<String, PublishSet.TargetBlob> blobs = new LinkedHashMap<>();
  private long version;
  private byte[] targetsBytes = new byte[0];
  private byte[] snapshotBytes = new byte[0];
  private byte[] timestampBytes = new byte[0];

  private SampleRepository(KeyType type) {
    for (RoleType role : RoleType.values()) {
      keys.put(role, SoftwareKey.generate(type));
    }
    signRoot();
  }

  /** A repository with root version 1 and no targets yet. */
  public static SampleRepository create(KeyType type) {
    return new SampleRepository(type);
  }

  /** The trusted root a client starts from (version 1). */
  public byte[] initialRoot() {
    return roots.getFirst().clone();
  }

  /** Signs one more root version with the same keys (a root walk has something to walk). */
  public void signRoot() {
    Map<String, TufKey> keyMap = new LinkedHashMap<>();
    Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
    keys.forEach((role, signer) -> {
      keyMap.put(signer.keyId(), signer.publicKey());
      roles.put(role, Role.of(List.of(signer.keyId()), 1));
    });
    Root root =
        new Root(
            Signed.SPEC_VERSION,
            roots.size() + 1L,
            expires,
            true,
            keyMap,
            roles,
            JsonObject.empty());
    roots.add(sign(root, keys.get(RoleType.ROOT)));
  }

  /** Lists a target (module, version, chunk list) for the next {@link #release()}. */
  public TargetFile addTarget(String path, byte[] content, int chunkSize) {
    ChunkList list = ChunkList.of(content, chunkSize);
    JsonObject custom =
        JsonObject.builder()
            .put(
                "graft",
                JsonObject.builder()
                    .put("module", path.replaceFirst("-[0-9].*", ""))
                    .put("version", "1.0.0")
                    .put("release_counter", targets.size() + 1L)
                    .put(
                        "chunks",
                        JsonObject.builder()
                            .put("size", chunkSize)
                            .put("list_sha256", list.listSha256())
                            .build())
                    .build())
            .build();
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put("sha256", digest("SHA-256", content));
    hashes.put("sha512", digest("SHA-512", content));
    TargetFile target = TargetFile.of(path, content.length, hashes, Optional.of(custom));
    targets.put(path, target);
    blobs.put(path, new PublishSet.TargetBlob(content, chunkSize));
    return target;
  }

  /** Removes a target from the next release. */
  public void removeTarget(String path) {
    targets.remove(path);
    blobs.remove(path);
  }

  /** Signs a new version of targets, snapshot and timestamp. */
  public void release() {
    version++;
    Targets targetsRole =
        new Targets(
            Signed.SPEC_VERSION, version, expires, targets, Optional.empty(), JsonObject.empty());
    targetsBytes = sign(targetsRole, keys.get(RoleType.TARGETS));
    Snapshot snapshot =
        new Snapshot(
            Signed.SPEC_VERSION,
            version,
            expires,
            Map.of("targets.json", MetaFile.of(version)),
            JsonObject.empty());
    snapshotBytes = sign(snapshot, keys.get(RoleType.SNAPSHOT));
    MetaFile snapshotMeta =
        new MetaFile(
            version,
            OptionalLong.of(snapshotBytes.length),
            Map.of("sha256", digest("SHA-256", snapshotBytes)),
            JsonObject.empty());
    timestampBytes =
        sign(
            new Timestamp(Signed.SPEC_VERSION, version, expires, snapshotMeta, JsonObject.empty()),
            keys.get(RoleType.TIMESTAMP));
  }

  /** Every root version, the current targets, snapshot and timestamp, and every target file. */
  public PublishSet publishSet() {
    if (version == 0) {
      throw new IllegalStateException("release() first");
    }
    List<PublishSet.MetadataFile> metadata = new ArrayList<>();
    for (int i = 0; i < roots.size(); i++) {
      metadata.add(new PublishSet.MetadataFile("root", OptionalLong.of(i + 1L), roots.get(i)));
    }
    metadata.add(new PublishSet.MetadataFile("targets", OptionalLong.of(version), targetsBytes));
    metadata.add(new PublishSet.MetadataFile("snapshot", OptionalLong.of(version), snapshotBytes));
    metadata.add(new PublishSet.MetadataFile("timestamp", OptionalLong.empty(), timestampBytes));
    return new PublishSet(metadata, List.copyOf(blobs.values()));
  }

  public int rootVersions() {
    return roots.size();
  }

  public long version() {
    return version;
  }

  private static byte[] sign(Signed signed, Signer signer) {
    return SignedMetadata.sign(signed, List.of(signer)).toBytes();
  }

  public static String digest(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required by every Java platform", e);
    }
  }
}
