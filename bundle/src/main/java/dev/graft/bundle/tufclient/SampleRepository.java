package dev.graft.bundle.tufclient;

import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signature;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.Snapshot;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.metadata.Timestamp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A small TUF repository on disk, one key per role, consistent snapshots on: what the demo
 * publishes. It signs and lays files out as a repository server would serve them ({@code
 * N.root.json}, {@code timestamp.json}, {@code V.snapshot.json}, {@code V.targets.json}, {@code
 * targets/HASH.name}). The release engineers' tool ({@code graft}) replaces it for real work.
 */
final class SampleRepository {
  private final Path directory;
  private final Map<RoleType, Signer> keys;
  private final JsonObject extraSigned;
  private final Instant expires;
  private final Map<String, TargetFile> targets = new LinkedHashMap<>();
  private long rootVersion;
  private long version;

  /**
   * @param extraSigned members added to the {@code signed} object of targets, snapshot and
   *     timestamp (the director's {@code gateway})
   */
  SampleRepository(
      Path directory, Map<RoleType, Signer> keys, JsonObject extraSigned, Instant expires) {
    this.directory = directory;
    this.keys = new EnumMap<>(keys);
    this.extraSigned = extraSigned;
    this.expires = expires;
  }

  Path directory() {
    return directory;
  }

  /** Writes root version 1 and returns its bytes (the trust anchor a gateway is given). */
  byte[] writeRoot() throws IOException {
    rootVersion++;
    Map<String, TufKey> keyMap = new LinkedHashMap<>();
    Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
    keys.forEach((role, signer) -> {
      keyMap.put(signer.keyId(), signer.publicKey());
      roles.put(role, Role.of(List.of(signer.keyId()), 1));
    });
    Root root = new Root("1.0.31", rootVersion, expires, true, keyMap, roles, JsonObject.empty());
    byte[] bytes = sign(root, key(RoleType.ROOT));
    write(rootVersion + ".root.json", bytes);
    return bytes;
  }

  /** Adds a target file (written under its hash-prefixed name at the next publish). */
  TargetFile addTarget(String path, byte[] content, Optional<JsonObject> custom)
      throws IOException {
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put("sha256", digest("SHA-256", content));
    hashes.put("sha512", digest("SHA-512", content));
    TargetFile target = TargetFile.of(path, content.length, hashes, custom);
    targets.put(path, target);
    Path file = directory.resolve("targets").resolve(hashes.get("sha256") + "." + path);
    Files.createDirectories(file.getParent());
    Files.write(file, content);
    return target;
  }

  /** Signs and writes a new version of targets, snapshot and timestamp; returns the timestamp. */
  byte[] publish() throws IOException {
    version++;
    Targets targetsRole =
        new Targets("1.0.31", version, expires, targets, Optional.empty(), extraSigned);
    byte[] targetsBytes = sign(targetsRole, key(RoleType.TARGETS));
    write(version + ".targets.json", targetsBytes);
    Snapshot snapshot =
        new Snapshot(
            "1.0.31", version, expires, Map.of("targets.json", MetaFile.of(version)), extraSigned);
    byte[] snapshotBytes = sign(snapshot, key(RoleType.SNAPSHOT));
    write(version + ".snapshot.json", snapshotBytes);
    MetaFile snapshotMeta =
        new MetaFile(
            version,
            OptionalLong.of(snapshotBytes.length),
            Map.of("sha256", digest("SHA-256", snapshotBytes)),
            JsonObject.empty());
    byte[] timestampBytes =
        sign(
            new Timestamp("1.0.31", version, expires, snapshotMeta, extraSigned),
            key(RoleType.TIMESTAMP));
    write("timestamp.json", timestampBytes);
    return timestampBytes;
  }

  void write(String name, byte[] bytes) throws IOException {
    Files.createDirectories(directory);
    Files.write(directory.resolve(name), bytes);
  }

  private Signer key(RoleType role) {
    Signer signer = keys.get(role);
    if (signer == null) {
      throw new IllegalArgumentException("no key for role " + role.typeName());
    }
    return signer;
  }

  static byte[] sign(Signed signed, Signer signer) {
    byte[] message = CanonicalJson.encode(signed.toJson());
    List<Signature> signatures = new ArrayList<>();
    signatures.add(Signature.of(signer.keyId(), signer.sign(message)));
    return PrettyJson.encode(SignedMetadata.of(signed, signatures).toJson());
  }

  static String digest(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required by every Java platform", e);
    }
  }
}
