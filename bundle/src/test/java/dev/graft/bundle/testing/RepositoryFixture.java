package dev.graft.bundle.testing;

import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
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
import java.util.function.Function;

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

  /** Per-role expiry for timestamp, snapshot and targets; {@link #expires} where absent. */
  public final Map<RoleType, Instant> expiresFor = new EnumMap<>(RoleType.class);

  /**
   * Keys listed in root beyond the signers in {@link #keys} (e.g. a key of an unknown type), by key
   * id, and the roles that list them.
   */
  public final Map<String, TufKey> extraKeys = new LinkedHashMap<>();

  public final Map<RoleType, List<String>> extraKeyIds = new EnumMap<>(RoleType.class);

  /**
   * Replaces the signing of one role's file (timestamp, snapshot or targets): for files signed by
   * other keys than root lists, by key ids of a test's choosing, or tampered afterwards.
   */
  public final Map<RoleType, Function<Signed, byte[]>> signing = new EnumMap<>(RoleType.class);

  /** Members added to the signed object of timestamp, snapshot or targets, e.g. "gateway". */
  public final Map<RoleType, JsonObject> extraMembers = new EnumMap<>(RoleType.class);

  /** Whether timestamp gives the snapshot's length and SHA-256 (TUF makes both optional). */
  public boolean timestampListsSnapshotHashes = true;

  /** Whether snapshot gives the length and SHA-256 of every targets role's file. */
  public boolean snapshotListsHashes = false;

  public final Map<String, byte[]> targetFiles = new LinkedHashMap<>();
  public final Map<String, JsonObject> targetCustom = new LinkedHashMap<>();

  /** Delegations of the top-level targets role, in order. */
  public final List<DelegatedRole> delegations = new ArrayList<>();

  /** Delegations made by delegated roles, by the delegating role's name, in order. */
  public final Map<String, List<DelegatedRole>> childDelegations = new LinkedHashMap<>();

  public final Map<String, List<Signer>> delegatedKeys = new LinkedHashMap<>();

  /** Who signs a delegated role's file when not its listed keys. */
  public final Map<String, List<Signer>> delegatedSigners = new LinkedHashMap<>();

  public final Map<String, Long> delegatedVersions = new LinkedHashMap<>();
  public final Map<String, Map<String, byte[]>> delegatedTargets = new LinkedHashMap<>();

  /**
   * Every key a delegation was made to, by id: a role delegated twice to different keys (by two
   * delegators) is signed by its first key, yet each delegator lists the key it named.
   */
  private final Map<String, TufKey> delegationKeysById = new LinkedHashMap<>();

  /** Every metadata file published so far, by file name, as last published. */
  private final Map<String, byte[]> published = new LinkedHashMap<>();

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

  /** A composite key with the ML-DSA-65 half of {@code key} (a fixture key) and its own Ed25519. */
  public static Signer newCompositeKeySharingMlDsa(Signer key) {
    return TestSigner.sharingMlDsa((TestSigner) key, RANDOM);
  }

  /** A composite key with the Ed25519 half of {@code key} (a fixture key) and its own ML-DSA-65. */
  public static Signer newCompositeKeySharingEd25519(Signer key) {
    return TestSigner.sharingEd25519((TestSigner) key, RANDOM);
  }

  public static Signer newEd25519Key() {
    return TestSigner.ed25519(RANDOM);
  }

  public static Signer newUnknownTypeKey() {
    return TestSigner.unknownType(RANDOM);
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
      for (String id : extraKeyIds.getOrDefault(role, List.of())) {
        keyMap.put(id, extraKeys.get(id));
        ids.add(id);
      }
      roles.put(role, Role.of(ids, thresholds.get(role)));
    }
    return new Root(
        Signed.SPEC_VERSION,
        rootVersion,
        rootExpires,
        consistentSnapshot,
        keyMap,
        roles,
        JsonObject.empty());
  }

  /** Signs and publishes root at its version; returns the bytes. */
  public byte[] publishRoot() {
    byte[] bytes = sign(root(), rootSigners);
    put(rootVersion + ".root.json", bytes);
    put("root.json", bytes);
    rootSigners = keys.get(RoleType.ROOT);
    return bytes;
  }

  /** Publishes root version 1 and stores it as the client's trusted root. */
  public RepositoryFixture initialise() {
    return initialise(true);
  }

  /** Like {@link #initialise()}, with the client's hybrid rule on or off. */
  public RepositoryFixture initialise(boolean requireHybrid) {
    byte[] rootBytes = publishRoot();
    TufClient.initialize(store, rootBytes, requireHybrid);
    return this;
  }

  /** The bytes last published under a file name, e.g. "timestamp.json" or "2.snapshot.json". */
  public byte[] published(String fileName) {
    byte[] bytes = published.get(fileName);
    if (bytes == null) {
      throw new IllegalArgumentException("nothing was published as " + fileName);
    }
    return bytes.clone();
  }

  /** Publishes a file under a name, recording it; tests use it to serve crafted files. */
  public void put(String fileName, byte[] bytes) {
    published.put(fileName, bytes.clone());
    repository.putMetadata(fileName, bytes);
  }

  /** Addresses the director's timestamp, snapshot and targets to one gateway. */
  public void addressTo(String gatewayId) {
    JsonObject gateway = JsonObject.builder().put("gateway", gatewayId).build();
    for (RoleType role : List.of(RoleType.TIMESTAMP, RoleType.SNAPSHOT, RoleType.TARGETS)) {
      extraMembers.put(role, gateway);
    }
  }

  public Instant expiresOf(RoleType role) {
    return role == RoleType.ROOT ? rootExpires : expiresFor.getOrDefault(role, expires);
  }

  /** Publishes targets (and delegated roles), snapshot and timestamp at their current versions. */
  public void publish() {
    Map<String, byte[]> roleFiles = new LinkedHashMap<>();
    roleFiles.put("targets", signRole(RoleType.TARGETS, targets()));
    for (String name : delegatedKeys.keySet()) {
      roleFiles.put(
          name,
          sign(
              delegatedTargetsModel(name),
              delegatedSigners.getOrDefault(name, delegatedKeys.get(name))));
    }
    Map<String, MetaFile> meta = new LinkedHashMap<>();
    roleFiles.forEach((name, bytes) -> {
      long version = versionOf(name);
      meta.put(
          name + ".json", snapshotListsHashes ? metaFile(version, bytes) : MetaFile.of(version));
      putVersioned(name, version, bytes);
    });
    byte[] snapshotBytes =
        signRole(
            RoleType.SNAPSHOT,
            new Snapshot(
                Signed.SPEC_VERSION,
                snapshotVersion,
                expiresOf(RoleType.SNAPSHOT),
                meta,
                extraMembers.getOrDefault(RoleType.SNAPSHOT, JsonObject.empty())));
    putVersioned("snapshot", snapshotVersion, snapshotBytes);
    MetaFile snapshotMeta =
        timestampListsSnapshotHashes
            ? metaFile(snapshotVersion, snapshotBytes)
            : MetaFile.of(snapshotVersion);
    put(
        "timestamp.json",
        signRole(
            RoleType.TIMESTAMP,
            new Timestamp(
                Signed.SPEC_VERSION,
                timestampVersion,
                expiresOf(RoleType.TIMESTAMP),
                snapshotMeta,
                extraMembers.getOrDefault(RoleType.TIMESTAMP, JsonObject.empty()))));
    for (Map.Entry<String, byte[]> target : allTargetBytes().entrySet()) {
      TargetFile file = targetFile(target.getKey(), target.getValue());
      String path = consistentSnapshot ? hashPrefixed(file) : file.path();
      repository.putTarget(path, target.getValue());
    }
  }

  /** The repository's next release: bumps targets, snapshot and timestamp, then publishes. */
  public void publishNext() {
    targetsVersion++;
    snapshotVersion++;
    timestampVersion++;
    publish();
  }

  private long versionOf(String roleName) {
    return roleName.equals("targets")
        ? targetsVersion
        : delegatedVersions.getOrDefault(roleName, 1L);
  }

  private static MetaFile metaFile(long version, byte[] bytes) {
    return new MetaFile(
        version,
        OptionalLong.of(bytes.length),
        Map.of("sha256", sha256(bytes)),
        JsonObject.empty());
  }

  private byte[] signRole(RoleType role, Signed signed) {
    Function<Signed, byte[]> override = signing.get(role);
    return override != null ? override.apply(signed) : sign(signed, keys.get(role));
  }

  /** A delegated role's targets model as {@link #publish()} signs it. */
  public Targets delegatedTargetsModel(String name) {
    Map<String, TargetFile> listed = new LinkedHashMap<>();
    delegatedTargets
        .getOrDefault(name, Map.of())
        .forEach((p, b) -> listed.put(p, targetFile(p, b)));
    return new Targets(
        Signed.SPEC_VERSION,
        versionOf(name),
        expires,
        listed,
        delegationsModel(childDelegations.getOrDefault(name, List.of())),
        JsonObject.empty());
  }

  private Optional<Delegations> delegationsModel(List<DelegatedRole> roles) {
    if (roles.isEmpty()) {
      return Optional.empty();
    }
    Map<String, TufKey> delegationKeys = new LinkedHashMap<>();
    for (DelegatedRole role : roles) {
      delegatedKeys
          .getOrDefault(role.name(), List.of())
          .forEach(s -> delegationKeys.put(s.keyId(), s.publicKey()));
      for (String keyId : role.keyIds()) {
        TufKey key = delegationKeysById.get(keyId);
        if (key != null) {
          delegationKeys.putIfAbsent(keyId, key);
        }
      }
    }
    return Optional.of(new Delegations(delegationKeys, roles, JsonObject.empty()));
  }

  public Targets targets() {
    Map<String, TargetFile> listed = new LinkedHashMap<>();
    targetFiles.forEach((p, b) -> listed.put(p, targetFile(p, b)));
    return new Targets(
        Signed.SPEC_VERSION,
        targetsVersion,
        expiresOf(RoleType.TARGETS),
        listed,
        delegationsModel(delegations),
        extraMembers.getOrDefault(RoleType.TARGETS, JsonObject.empty()));
  }

  /** Adds a delegation from top-level targets, signed by one new key, for the given paths. */
  public void delegate(String name, List<String> paths, boolean terminating, Signer key) {
    delegate("targets", name, paths, terminating, key);
  }

  /**
   * Adds a delegation from any targets role (top-level "targets" or a delegated one), signed by the
   * given key, for the given path patterns.
   */
  public void delegate(
      String delegator, String name, List<String> paths, boolean terminating, Signer key) {
    addDelegation(
        delegator,
        new DelegatedRole(
            name,
            List.of(key.keyId()),
            1,
            terminating,
            Optional.of(paths),
            Optional.empty(),
            JsonObject.empty()),
        key);
  }

  /** Adds a delegation by {@code path_hash_prefixes}. */
  public void delegateByHashPrefix(
      String delegator, String name, List<String> prefixes, Signer key) {
    addDelegation(
        delegator,
        new DelegatedRole(
            name,
            List.of(key.keyId()),
            1,
            false,
            Optional.empty(),
            Optional.of(prefixes),
            JsonObject.empty()),
        key);
  }

  private void addDelegation(String delegator, DelegatedRole role, Signer key) {
    if (delegator.equals("targets")) {
      delegations.add(role);
    } else {
      childDelegations.computeIfAbsent(delegator, d -> new ArrayList<>()).add(role);
    }
    delegatedKeys.putIfAbsent(role.name(), List.of(key));
    delegationKeysById.put(key.keyId(), key.publicKey());
    delegatedVersions.putIfAbsent(role.name(), 1L);
  }

  /** Lists a target (with the given content) in a delegated role. */
  public void addDelegatedTarget(String roleName, String path, String content) {
    delegatedTargets
        .computeIfAbsent(roleName, r -> new LinkedHashMap<>())
        .put(path, content.getBytes(StandardCharsets.UTF_8));
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
    put(version + "." + name + ".json", bytes);
    put(name + ".json", bytes);
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

  /** A builder with this fixture's repository, store and clock, for tests that set more. */
  public TufClient.Builder clientBuilder() {
    return TufClient.builder().repository(repository).store(store).clock(CLOCK);
  }

  /** A fixed clock at a time after {@link #NOW}. */
  public static Clock clockAt(Duration afterNow) {
    return Clock.fixed(NOW.plus(afterNow), ZoneOffset.UTC);
  }

  /** Signs a model's canonical JSON with each signer and returns the file's bytes. */
  public static byte[] sign(Signed signed, List<Signer> signers) {
    return SignedMetadata.sign(signed, signers).toBytes();
  }

  /**
   * Signs under key ids of the caller's choosing, in order (the same id twice makes a file with a
   * duplicate signature; an attacker's signer under a trusted id makes a forgery).
   */
  public static byte[] signAs(Signed signed, List<Map.Entry<String, Signer>> signers) {
    byte[] message = CanonicalJson.encode(signed.toJson());
    List<Signature> signatures = new ArrayList<>();
    for (Map.Entry<String, Signer> entry : signers) {
      signatures.add(Signature.of(entry.getKey(), entry.getValue().sign(message)));
    }
    return SignedMetadata.of(signed, signatures).toBytes();
  }

  public static SignedMetadata<Signed> signedMetadata(Signed signed, List<Signer> signers) {
    return SignedMetadata.sign(signed, signers);
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
