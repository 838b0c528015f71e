package dev.graft.bundle.testing;

import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.DelegatedRole;
import dev.graft.bundle.metadata.Delegations;
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
import dev.graft.bundle.tuf.InMemoryRepository;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.TufClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A TUF repository under a test's control: keys per role, versions, targets and delegations,
 * published as signed files into an {@link InMemoryRepository}. Tests change a field, call {@link
 * #publish()}, and run a client against it; {@link #sign} lets them craft any file.
 */
public final class RepositoryFixture {
  public static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** One shared random source: composite key generation is the slow part, so keys are few. */
  private static final SecureRandom RANDOM = new SecureRandom(new byte[] {42});

  public final InMemoryRepository repository = new InMemoryRepository();
  public final InMemoryTrustedStore store = new InMemoryTrustedStore();

  public final Map<RoleType, List<Signer>> keys = new EnumMap<>(RoleType.class);
  public final Map<RoleType, Integer> thresholds = new EnumMap<>(RoleType.class);

  /** Who signs root this time; defaults to the root keys (rotations add the old ones). */
  public List<Signer> rootSigners;

  public boolean consistentSnapshot = true;
  public long rootVersion = 1;
  public long targetsVersion = 1;
  public long snapshotVersion = 1;
  public long timestampVersion = 1;
  public Instant expires = NOW.plus(Duration.ofDays(30));
  public Instant rootExpires = NOW.plus(Duration.ofDays(365));

  public final Map<String, byte[]> targetFiles = new LinkedHashMap<>();
  public final Map<String, JsonObject> targetCustom = new LinkedHashMap<>();

  /** Delegations of the top-level targets role, in order. */
  public final List<DelegatedRole> delegations = new ArrayList<>();

  public final Map<String, List<Signer>> delegatedKeys = new LinkedHashMap<>();
  public final Map<String, Long> delegatedVersions = new LinkedHashMap<>();
  public final Map<String, Map<String, byte[]>> delegatedTargets = new LinkedHashMap<>();

  public RepositoryFixture() {
    for (RoleType role : RoleType.values()) {
      keys.put(role, new ArrayList<>(List.of(TestSigner.composite(RANDOM))));
      thresholds.put(role, 1);
    }
    rootSigners = keys.get(RoleType.ROOT);
  }

  public static Signer newCompositeKey() {
    return TestSigner.composite(RANDOM);
  }

  public static Signer newEd25519Key() {
    return TestSigner.ed25519(RANDOM);
  }

  public Root root() {
    Map<String, TufKey> keyMap = new LinkedHashMap<>();
    Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
    for (RoleType role : RoleType.values()) {
      List<String> ids = new ArrayList<>();
      for (Signer signer : keys.get(role)) {
        keyMap.put(signer.keyId(), signer.publicKey());
        ids.add(signer.keyId());
      }
      roles.put(role, Role.of(ids, thresholds.get(role)));
    }
    return new Root(
        "1.0.31", rootVersion, rootExpires, consistentSnapshot, keyMap, roles, JsonObject.empty());
  }

  /** Signs and publishes root at its version; returns the bytes. */
  public byte[] publishRoot() {
    byte[] bytes = sign(root(), rootSigners);
    repository.putMetadata(rootVersion + ".root.json", bytes);
    repository.putMetadata("root.json", bytes);
    rootSigners = keys.get(RoleType.ROOT);
    return bytes;
  }

  /** Publishes root version 1 and stores it as the client's trusted root. */
  public RepositoryFixture initialise() {
    byte[] rootBytes = publishRoot();
    TufClient.initialize(store, rootBytes, true);
    return this;
  }

  /** Publishes targets (and delegated roles), snapshot and timestamp at their current versions. */
  public void publish() {
    Map<String, byte[]> roleFiles = new LinkedHashMap<>();
    roleFiles.put("targets", sign(targets(), keys.get(RoleType.TARGETS)));
    for (DelegatedRole role : delegations) {
      Map<String, TargetFile> listed = new LinkedHashMap<>();
      delegatedTargets
          .getOrDefault(role.name(), Map.of())
          .forEach((p, b) -> listed.put(p, targetFile(p, b)));
      Targets delegated =
          new Targets(
              "1.0.31",
              delegatedVersions.getOrDefault(role.name(), 1L),
              expires,
              listed,
              Optional.empty(),
              JsonObject.empty());
      roleFiles.put(role.name(), sign(delegated, delegatedKeys.get(role.name())));
    }
    Map<String, MetaFile> meta = new LinkedHashMap<>();
    roleFiles.forEach((name, bytes) -> {
      long version =
          name.equals("targets") ? targetsVersion : delegatedVersions.getOrDefault(name, 1L);
      meta.put(name + ".json", MetaFile.of(version));
      putVersioned(name, version, bytes);
    });
    byte[] snapshotBytes =
        sign(
            new Snapshot("1.0.31", snapshotVersion, expires, meta, JsonObject.empty()),
            keys.get(RoleType.SNAPSHOT));
    putVersioned("snapshot", snapshotVersion, snapshotBytes);
    MetaFile snapshotMeta =
        new MetaFile(
            snapshotVersion,
            OptionalLong.of(snapshotBytes.length),
            Map.of("sha256", sha256(snapshotBytes)),
            JsonObject.empty());
    repository.putMetadata(
        "timestamp.json",
        sign(
            new Timestamp("1.0.31", timestampVersion, expires, snapshotMeta, JsonObject.empty()),
            keys.get(RoleType.TIMESTAMP)));
    for (Map.Entry<String, byte[]> target : allTargetBytes().entrySet()) {
      TargetFile file = targetFile(target.getKey(), target.getValue());
      String path = consistentSnapshot ? hashPrefixed(file) : file.path();
      repository.putTarget(path, target.getValue());
    }
  }

  public Targets targets() {
    Map<String, TargetFile> listed = new LinkedHashMap<>();
    targetFiles.forEach((p, b) -> listed.put(p, targetFile(p, b)));
    Optional<Delegations> delegationModel = Optional.empty();
    if (!delegations.isEmpty()) {
      Map<String, TufKey> delegationKeys = new LinkedHashMap<>();
      delegatedKeys
          .values()
          .forEach(list -> list.forEach(s -> delegationKeys.put(s.keyId(), s.publicKey())));
      delegationModel =
          Optional.of(new Delegations(delegationKeys, delegations, JsonObject.empty()));
    }
    return new Targets(
        "1.0.31", targetsVersion, expires, listed, delegationModel, JsonObject.empty());
  }

  /** Adds a delegation from top-level targets, signed by one new key, for the given paths. */
  public void delegate(String name, List<String> paths, boolean terminating, Signer key) {
    delegations.add(
        new DelegatedRole(
            name,
            List.of(key.keyId()),
            1,
            terminating,
            Optional.of(paths),
            Optional.empty(),
            JsonObject.empty()));
    delegatedKeys.put(name, List.of(key));
    delegatedVersions.putIfAbsent(name, 1L);
  }

  public void addTarget(String path, String content) {
    targetFiles.put(path, content.getBytes(StandardCharsets.UTF_8));
  }

  public TargetFile targetFile(String path, byte[] bytes) {
    return TargetFile.of(
        path, bytes.length, orderedHashes(bytes), Optional.ofNullable(targetCustom.get(path)));
  }

  /** sha256 first: under consistent snapshots the first listed hash prefixes the file name. */
  private static Map<String, String> orderedHashes(byte[] bytes) {
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put("sha256", sha256(bytes));
    hashes.put("sha512", sha512(bytes));
    return hashes;
  }

  private Map<String, byte[]> allTargetBytes() {
    Map<String, byte[]> all = new LinkedHashMap<>(targetFiles);
    delegatedTargets.values().forEach(all::putAll);
    return all;
  }

  private void putVersioned(String name, long version, byte[] bytes) {
    repository.putMetadata(version + "." + name + ".json", bytes);
    repository.putMetadata(name + ".json", bytes);
  }

  public static String hashPrefixed(TargetFile file) {
    int slash = file.path().lastIndexOf('/');
    return file.path().substring(0, slash + 1)
        + file.hashes().values().iterator().next()
        + "."
        + file.path().substring(slash + 1);
  }

  public TufClient client() {
    return TufClient.builder().repository(repository).store(store).clock(CLOCK).build();
  }

  public TufClient client(Clock clock) {
    return TufClient.builder().repository(repository).store(store).clock(clock).build();
  }

  /** Signs a model's canonical JSON with each signer and returns the file's bytes. */
  public static byte[] sign(Signed signed, List<Signer> signers) {
    return PrettyJson.encode(signedMetadata(signed, signers).toJson());
  }

  public static SignedMetadata<Signed> signedMetadata(Signed signed, List<Signer> signers) {
    byte[] message = CanonicalJson.encode(signed.toJson());
    List<Signature> signatures = new ArrayList<>();
    for (Signer signer : signers) {
      signatures.add(Signature.of(signer.keyId(), signer.sign(message)));
    }
    return SignedMetadata.of(signed, signatures);
  }

  public static String sha256(byte[] bytes) {
    return digest("SHA-256", bytes);
  }

  public static String sha512(byte[] bytes) {
    return digest("SHA-512", bytes);
  }

  private static String digest(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
