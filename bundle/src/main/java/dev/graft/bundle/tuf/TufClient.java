package dev.graft.bundle.tuf;

import dev.graft.bundle.Digests;
import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.ExpiredMetadataException;
import dev.graft.bundle.HashMismatchException;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.MixAndMatchException;
import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.RollbackAttackException;
import dev.graft.bundle.TargetFromWrongRoleException;
import dev.graft.bundle.TargetNotFoundException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.WrongGatewayException;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.metadata.DelegatedRole;
import dev.graft.bundle.metadata.Delegations;
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
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A TUF 1.0 client (specification section 5): updates root through its version chain, then
 * timestamp, snapshot and targets, walks delegations to find a target, and verifies target bytes.
 * Each file is stored in the {@link TrustedStore} as soon as it verifies, in the specification's
 * order; a file that fails any check is never stored and leaves the trusted state as it was.
 *
 * <p>One instance is one client session, used from one thread. Metadata that was trusted earlier
 * (the store's contents) serves as the reference against rollback; stored timestamp and snapshot
 * files that no longer verify under a rotated root are simply not used (fast-forward recovery).
 */
public final class TufClient {
  private static final String ROOT = RoleType.ROOT.typeName();
  private static final String TIMESTAMP = RoleType.TIMESTAMP.typeName();
  private static final String SNAPSHOT = RoleType.SNAPSHOT.typeName();
  private static final String TARGETS = RoleType.TARGETS.typeName();

  /** A targets role as reached through one delegator; root delegates the top-level targets. */
  private record Delegation(String delegator, String role) {}

  private static final Delegation TOP_LEVEL = new Delegation(ROOT, TARGETS);

  private final Repository repository;
  private final TrustedStore store;
  private final Clock clock;
  private final Limits limits;
  private final JsonParser parser;
  private final boolean requireHybrid;
  private final Map<String, PinnedRole> pinnedRoles;
  private final @Nullable String gatewayId;

  private SignedMetadata<Root> root;
  private @Nullable SignedMetadata<Timestamp> timestamp;
  private @Nullable SignedMetadata<Snapshot> snapshot;

  /**
   * Targets roles trusted in this session, keyed by who delegated them: a role that two roles
   * delegate (to different keys) is verified against the delegation each lookup went through.
   */
  private final Map<Delegation, SignedMetadata<Targets>> targets = new LinkedHashMap<>();

  private @Nullable Instant referenceTime;

  private TufClient(Builder builder) {
    this.repository = Objects.requireNonNull(builder.repository, "repository");
    this.store = Objects.requireNonNull(builder.store, "store");
    this.clock = builder.clock;
    this.limits = builder.limits;
    this.parser = builder.parser;
    this.requireHybrid = builder.requireHybrid;
    this.pinnedRoles = Map.copyOf(builder.pinnedRoles);
    this.gatewayId = builder.gatewayId;
    byte[] rootBytes =
        store
            .load(ROOT)
            .orElseThrow(() ->
                new TrustException(
                    "no trusted root metadata in the store; initialise the client with a"
                        + " trusted root first"));
    this.root = trustedRoot(rootBytes);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks that bytes are a root that signs itself (and is hybrid where required) and stores them
   * as the trusted root, replacing any trusted metadata. This is the trust-on-first-use step: the
   * caller vouches for where the bytes came from.
   */
  public static void initialize(TrustedStore store, byte[] rootBytes, boolean requireHybrid) {
    SignedMetadata<Root> root = SignedMetadata.parseRoot(rootBytes, JsonParser.withDefaults());
    Role role = root.signed().role(RoleType.ROOT);
    Thresholds.check(root, ROOT, root.signed().keys(), role.keyIds(), role.threshold());
    if (requireHybrid) {
      checkHybridRoot(root.signed());
    }
    for (String name : List.of(TIMESTAMP, SNAPSHOT, TARGETS)) {
      store.delete(name);
    }
    store.store(ROOT, rootBytes);
  }

  /**
   * Re-verifies a stored root from the commissioned anchor: every root version after the anchor's,
   * up to the stored one, is fetched from {@code repository} and must be signed by its
   * predecessor's threshold and by its own (and be hybrid where required), and the last one must be
   * the stored root byte for byte. A stored root at the anchor's version must be the anchor. A
   * gateway runs this at every start, so a trusted store edited while it was off (a root that is
   * not on the anchored chain) is refused.
   *
   * @throws RollbackAttackException when the stored root is older than the anchor
   * @throws TrustException when the stored root is not the root the chain leads to at its version,
   *     or a step of the chain does not verify
   * @throws RepositoryException when a root version on the way cannot be fetched
   */
  public static void verifyRootChain(
      byte[] anchor, byte[] stored, Repository repository, boolean requireHybrid) {
    InMemoryTrustedStore scratch = new InMemoryTrustedStore();
    initialize(scratch, anchor, requireHybrid);
    TufClient client =
        builder().repository(repository).store(scratch).requireHybrid(requireHybrid).build();
    long target = SignedMetadata.parseRoot(stored, JsonParser.withDefaults()).signed().version();
    long version = client.root.signed().version();
    if (target < version) {
      throw RollbackAttackException.of(ROOT, version, target);
    }
    byte[] current = anchor;
    for (long next = version + 1; next <= target; next++) {
      long wanted = next;
      byte[] data =
          repository
              .fetchMetadata(ROOT, OptionalLong.of(wanted), client.limits.rootMaxLength())
              .orElseThrow(() ->
                  new RepositoryException(
                      "root version "
                          + wanted
                          + " is not in the repository, so the stored root version "
                          + target
                          + " cannot be traced back to the anchor"));
      data =
          EndlessDataException.requireWithin(
              data, client.limits.rootMaxLength(), wanted + ".root.json");
      client.updateRoot(data, wanted);
      current = data;
    }
    if (!MessageDigest.isEqual(current, stored)) {
      throw new TrustException(
          "the stored root version "
              + target
              + " is not the root version "
              + target
              + " that the chain from the anchor leads to");
    }
  }

  private SignedMetadata<Root> trustedRoot(byte[] bytes) {
    SignedMetadata<Root> trusted = SignedMetadata.parseRoot(bytes, parser);
    Role role = trusted.signed().role(RoleType.ROOT);
    Thresholds.check(trusted, ROOT, trusted.signed().keys(), role.keyIds(), role.threshold());
    if (requireHybrid) {
      checkHybridRoot(trusted.signed());
    }
    return trusted;
  }

  private static void checkHybridRoot(Root root) {
    for (RoleType offline : List.of(RoleType.ROOT, RoleType.TARGETS)) {
      Thresholds.requireHybrid(
          "root version " + root.version() + " role " + offline.typeName(),
          root.keys(),
          root.role(offline).keyIds());
    }
  }

  /** Runs the whole top-level update: root chain, timestamp, snapshot, top-level targets. */
  public void refresh() {
    referenceTime = clock.instant();
    targets.clear();
    timestamp = null;
    snapshot = null;
    updateRootChain();
    loadTimestamp();
    loadSnapshot();
    loadTargets(TOP_LEVEL, null);
  }

  public Root root() {
    return root.signed();
  }

  public Optional<Timestamp> timestamp() {
    return Optional.ofNullable(timestamp).map(SignedMetadata::signed);
  }

  public Optional<Snapshot> snapshot() {
    return Optional.ofNullable(snapshot).map(SignedMetadata::signed);
  }

  /** The pin this client holds for a delegated role, if it was built with one. */
  public Optional<PinnedRole> pinnedRole(String roleName) {
    return Optional.ofNullable(pinnedRoles.get(roleName));
  }

  /** The trusted top-level targets role; only after {@link #refresh()}. */
  public Targets topLevelTargets() {
    SignedMetadata<Targets> trusted = targets.get(TOP_LEVEL);
    if (trusted == null) {
      throw new IllegalStateException("refresh() must succeed before targets are trusted");
    }
    return trusted.signed();
  }

  /** The targets roles loaded so far, by name, in the order they were trusted. */
  public Map<String, Targets> targetsRoles() {
    Map<String, Targets> out = new LinkedHashMap<>();
    targets.forEach((delegation, md) -> out.putIfAbsent(delegation.role(), md.signed()));
    return Collections.unmodifiableMap(out);
  }

  // ---- 5.3 root ----------------------------------------------------------------------------

  private void updateRootChain() {
    long start = root.signed().version();
    for (long next = start + 1; next <= start + limits.maxRootRotations(); next++) {
      Optional<byte[]> bytes =
          repository.fetchMetadata(ROOT, OptionalLong.of(next), limits.rootMaxLength());
      if (bytes.isEmpty()) {
        break;
      }
      byte[] data =
          EndlessDataException.requireWithin(
              bytes.get(), limits.rootMaxLength(), next + ".root.json");
      updateRoot(data, next);
      store.store(ROOT, data);
    }
    Root trusted = root.signed();
    if (trusted.isExpired(now())) {
      throw ExpiredMetadataException.of(ROOT, trusted.version(), trusted.expires(), now());
    }
  }

  private void updateRoot(byte[] data, long expectedVersion) {
    SignedMetadata<Root> candidate = SignedMetadata.parseRoot(data, parser);
    Root old = root.signed();
    Role oldRole = old.role(RoleType.ROOT);
    Thresholds.check(
        candidate,
        "root (signed by trusted root keys)",
        old.keys(),
        oldRole.keyIds(),
        oldRole.threshold());
    long version = candidate.signed().version();
    if (version != expectedVersion) {
      throw RollbackAttackException.unexpectedRootVersion(old.version(), expectedVersion, version);
    }
    Role newRole = candidate.signed().role(RoleType.ROOT);
    Thresholds.check(
        candidate,
        "root (signed by its own new keys)",
        candidate.signed().keys(),
        newRole.keyIds(),
        newRole.threshold());
    if (requireHybrid) {
      checkHybridRoot(candidate.signed());
    }
    root = candidate;
  }

  // ---- 5.4 timestamp -----------------------------------------------------------------------

  private void loadTimestamp() {
    Optional<byte[]> local = store.load(TIMESTAMP);
    if (local.isPresent()) {
      try {
        updateTimestamp(local.get());
      } catch (TrustException e) {
        // Unverifiable under the current root (rotated timestamp keys): no reference, which is
        // the fast-forward recovery. An expired one stays set by updateTimestamp as the
        // reference against rollback, though it authorises nothing by itself.
      }
    }
    byte[] data =
        repository
            .fetchMetadata(TIMESTAMP, OptionalLong.empty(), limits.timestampMaxLength())
            .orElseThrow(() -> new RepositoryException("the repository has no timestamp.json"));
    data = EndlessDataException.requireWithin(data, limits.timestampMaxLength(), "timestamp.json");
    SignedMetadata<Timestamp> previous = timestamp;
    if (updateTimestamp(data)) {
      store.store(TIMESTAMP, data);
    } else if (previous == null) {
      throw new IllegalStateException("an equal version implies a trusted timestamp");
    }
  }

  /** Returns false when the new timestamp has the trusted version (nothing new to store). */
  private boolean updateTimestamp(byte[] data) {
    checkFinalRoot();
    SignedMetadata<Timestamp> candidate = SignedMetadata.parseTimestamp(data, parser);
    checkGateway(candidate, TIMESTAMP);
    Root trustedRoot = root.signed();
    Role role = trustedRoot.role(RoleType.TIMESTAMP);
    Thresholds.check(candidate, TIMESTAMP, trustedRoot.keys(), role.keyIds(), role.threshold());
    Timestamp fresh = candidate.signed();
    SignedMetadata<Timestamp> trusted = timestamp;
    if (trusted != null) {
      Timestamp old = trusted.signed();
      if (fresh.version() < old.version()) {
        throw RollbackAttackException.of(TIMESTAMP, old.version(), fresh.version());
      }
      if (fresh.version() == old.version()) {
        checkFinalTimestamp();
        return false;
      }
      if (fresh.snapshotMeta().version() < old.snapshotMeta().version()) {
        throw RollbackAttackException.olderListed(
            TIMESTAMP,
            fresh.version(),
            SNAPSHOT,
            old.snapshotMeta().version(),
            fresh.snapshotMeta().version());
      }
    }
    timestamp = candidate;
    checkFinalTimestamp();
    return true;
  }

  // ---- 5.5 snapshot ------------------------------------------------------------------------

  private void loadSnapshot() {
    Optional<byte[]> local = store.load(SNAPSHOT);
    if (local.isPresent()) {
      try {
        updateSnapshot(local.get(), true);
        return; // the stored snapshot is the one the timestamp names: nothing to download
      } catch (TrustException e) {
        // Stale or unverifiable: download the current one below.
      }
    }
    MetaFile meta = requireTimestamp().signed().snapshotMeta();
    // The signed length is the exact size, but never more than the configured cap: a stolen
    // timestamp key must not be able to raise what the client will download.
    long maxLength =
        Math.min(meta.length().orElse(limits.snapshotMaxLength()), limits.snapshotMaxLength());
    OptionalLong version =
        root.signed().consistentSnapshot() ? OptionalLong.of(meta.version()) : OptionalLong.empty();
    byte[] data =
        repository
            .fetchMetadata(SNAPSHOT, version, maxLength)
            .orElseThrow(() ->
                new RepositoryException("the repository has no " + fileName(SNAPSHOT, version)));
    data = EndlessDataException.requireWithin(data, maxLength, fileName(SNAPSHOT, version));
    updateSnapshot(data, false);
    store.store(SNAPSHOT, data);
  }

  private void updateSnapshot(byte[] data, boolean fromStore) {
    SignedMetadata<Timestamp> ts = requireTimestamp();
    checkFinalTimestamp();
    MetaFile meta = ts.signed().snapshotMeta();
    if (!fromStore) {
      checkLengthAndHashes(data, meta.length(), meta.hashes(), "snapshot metadata");
    }
    SignedMetadata<Snapshot> candidate = SignedMetadata.parseSnapshot(data, parser);
    checkGateway(candidate, SNAPSHOT);
    Root trustedRoot = root.signed();
    Role role = trustedRoot.role(RoleType.SNAPSHOT);
    Thresholds.check(candidate, SNAPSHOT, trustedRoot.keys(), role.keyIds(), role.threshold());
    SignedMetadata<Snapshot> trusted = snapshot;
    if (trusted != null) {
      // TUF 1.0 (5.3.3.2 in the 1.0.x texts): the snapshot version itself must not go back. The
      // timestamp usually guards it, but not once the trusted timestamp is gone or no longer
      // verifies (after a timestamp key rotation), and a re-signed snapshot may list the very same
      // targets versions as an older one.
      if (candidate.signed().version() < trusted.signed().version()) {
        throw RollbackAttackException.of(
            SNAPSHOT, trusted.signed().version(), candidate.signed().version());
      }
      for (Map.Entry<String, MetaFile> old : trusted.signed().meta().entrySet()) {
        MetaFile now = candidate.signed().meta().get(old.getKey());
        if (now == null) {
          throw RollbackAttackException.noLongerListed(
              candidate.signed().version(),
              trusted.signed().version(),
              old.getKey(),
              old.getValue().version());
        }
        if (now.version() < old.getValue().version()) {
          throw RollbackAttackException.olderListed(
              SNAPSHOT,
              candidate.signed().version(),
              old.getKey(),
              old.getValue().version(),
              now.version());
        }
      }
    }
    snapshot = candidate;
    checkFinalSnapshot();
  }

  // ---- 5.6 targets and delegations --------------------------------------------------------

  private SignedMetadata<Targets> loadTargets(
      Delegation delegation, @Nullable SignedMetadata<Targets> parent) {
    SignedMetadata<Targets> loaded = targets.get(delegation);
    if (loaded != null) {
      return loaded;
    }
    String roleName = delegation.role();
    Optional<byte[]> local = store.load(roleName);
    if (local.isPresent()) {
      try {
        return updateTargets(local.get(), delegation, parent);
      } catch (TrustException e) {
        // Stale or unverifiable: download the current one below.
      }
    }
    SignedMetadata<Snapshot> snap = requireSnapshot();
    MetaFile meta =
        snap.signed()
            .metaFor(roleName)
            .orElseThrow(() -> MixAndMatchException.notListed(snap.signed().version(), roleName));
    long maxLength =
        Math.min(meta.length().orElse(limits.targetsMaxLength()), limits.targetsMaxLength());
    OptionalLong version =
        root.signed().consistentSnapshot() ? OptionalLong.of(meta.version()) : OptionalLong.empty();
    byte[] data =
        repository
            .fetchMetadata(roleName, version, maxLength)
            .orElseThrow(() ->
                new RepositoryException("the repository has no " + fileName(roleName, version)));
    data = EndlessDataException.requireWithin(data, maxLength, fileName(roleName, version));
    SignedMetadata<Targets> verified = updateTargets(data, delegation, parent);
    store.store(roleName, data);
    return verified;
  }

  private SignedMetadata<Targets> updateTargets(
      byte[] data, Delegation delegation, @Nullable SignedMetadata<Targets> parent) {
    String roleName = delegation.role();
    String delegator = delegation.delegator();
    SignedMetadata<Snapshot> snap = requireSnapshot();
    checkFinalSnapshot();
    MetaFile meta =
        snap.signed()
            .metaFor(roleName)
            .orElseThrow(() -> MixAndMatchException.notListed(snap.signed().version(), roleName));
    checkLengthAndHashes(data, meta.length(), meta.hashes(), roleName + " metadata");
    SignedMetadata<Targets> candidate = SignedMetadata.parseTargets(data, parser);
    if (parent == null) {
      checkGateway(candidate, TARGETS);
      Root trustedRoot = root.signed();
      Role role = trustedRoot.role(RoleType.TARGETS);
      Thresholds.check(candidate, TARGETS, trustedRoot.keys(), role.keyIds(), role.threshold());
    } else {
      Delegations delegations =
          parent
              .signed()
              .delegations()
              .orElseThrow(() -> new IllegalStateException("no delegations"));
      DelegatedRole role =
          delegations
              .role(roleName)
              .orElseThrow(
                  () -> new IllegalStateException(delegator + " does not delegate to " + roleName));
      // Every delegated targets role authorises code or configuration offline, so the hybrid
      // rule holds for all of them, not only for the roles a caller thought of.
      if (requireHybrid) {
        Thresholds.requireHybrid(
            "delegation from " + delegator + " to " + roleName, delegations.keys(), role.keyIds());
      }
      PinnedRole pinned = pinnedRoles.get(roleName);
      if (pinned != null) {
        pinned.check(delegator, delegations, role);
      }
      Thresholds.check(candidate, roleName, delegations.keys(), role.keyIds(), role.threshold());
    }
    Targets fresh = candidate.signed();
    if (fresh.version() != meta.version()) {
      throw MixAndMatchException.versionMismatch(
          roleName, fresh.version(), SNAPSHOT, snap.signed().version(), meta.version());
    }
    if (fresh.isExpired(now())) {
      throw ExpiredMetadataException.of(roleName, fresh.version(), fresh.expires(), now());
    }
    targets.put(delegation, candidate);
    return candidate;
  }

  /**
   * Finds the trusted description of a target by walking the delegation tree in pre-order, as the
   * specification describes: top-level targets first, then each delegated role trusted for the
   * path, stopping at a terminating delegation. Cycles are skipped and the number of roles visited
   * is capped. Empty when no trusted role lists the path. Refreshes first unless a refresh has
   * already trusted the top-level targets.
   */
  public Optional<TargetFile> findTarget(String path) {
    return lookup(path).map(Found::target);
  }

  /** A target and the role that listed it. */
  private record Found(TargetFile target, String role) {}

  /** One step of the walk: a role to visit and the trusted role that delegated it. */
  private record Visit(Delegation delegation, @Nullable SignedMetadata<Targets> parent) {}

  private Optional<Found> lookup(String path) {
    if (referenceTime == null || !targets.containsKey(TOP_LEVEL)) {
      // Not refreshed yet, or the last refresh was refused part-way: refresh (again) rather than
      // answer from half-loaded state, so the caller gets the refusal itself.
      refresh();
    }
    Deque<Visit> toVisit = new ArrayDeque<>();
    toVisit.push(new Visit(TOP_LEVEL, null));
    Set<String> visited = new HashSet<>();
    int budget = limits.maxDelegations();
    while (budget > 0 && !toVisit.isEmpty()) {
      Visit next = toVisit.pop();
      String roleName = next.delegation().role();
      if (visited.contains(roleName)) {
        continue;
      }
      SignedMetadata<Targets> loaded = loadTargets(next.delegation(), next.parent());
      Targets role = loaded.signed();
      TargetFile found = role.targets().get(path);
      if (found != null) {
        return Optional.of(new Found(found, roleName));
      }
      visited.add(roleName);
      budget--;
      if (role.delegations().isPresent()) {
        List<Visit> children = new ArrayList<>();
        for (DelegatedRole child : role.delegations().get().roles()) {
          if (child.isTrustedFor(path)) {
            children.add(new Visit(new Delegation(roleName, child.name()), loaded));
            if (child.terminating()) {
              toVisit.clear();
              break;
            }
          }
        }
        for (int i = children.size() - 1; i >= 0; i--) {
          toVisit.push(children.get(i));
        }
      }
    }
    return Optional.empty();
  }

  /** Like {@link #findTarget} but refuses a path no trusted role lists. */
  public TargetFile requireTarget(String path) {
    return findTarget(path).orElseThrow(() -> TargetNotFoundException.of(path));
  }

  /**
   * Like {@link #requireTarget(String)}, but the path must come from {@code roleName}: when the
   * walk finds it first in any other role (the top-level targets, or a role delegated to other
   * keys), that is refused rather than passed over. A grant, for example, counts only when the
   * site-keyed {@code grants} role lists it, never when the director's online key does.
   *
   * @throws TargetFromWrongRoleException when another role lists the path first
   */
  public TargetFile requireTarget(String path, String roleName) {
    Found found = lookup(path).orElseThrow(() -> TargetNotFoundException.of(path, roleName));
    if (!found.role().equals(roleName)) {
      throw TargetFromWrongRoleException.of(path, found.role(), roleName);
    }
    return found.target();
  }

  /**
   * The path to request from the repository: under consistent snapshots the file name is prefixed
   * with the target's first listed hash ({@code dir/HASH.name}).
   */
  public String repositoryPath(TargetFile target) {
    if (!root.signed().consistentSnapshot()) {
      return target.path();
    }
    String hash = target.hashes().values().iterator().next();
    int slash = target.path().lastIndexOf('/');
    return target.path().substring(0, slash + 1) + hash + "." + target.path().substring(slash + 1);
  }

  /** Downloads a target (at most its length) and returns its bytes once length and hashes match. */
  public byte[] downloadTarget(TargetFile target) {
    byte[] data = repository.fetchTarget(repositoryPath(target), target.length());
    data = EndlessDataException.requireWithin(data, target.length(), "target " + target.path());
    verifyTarget(target, data);
    return data;
  }

  /** Checks bytes against a target's trusted length and every hash it lists. */
  public static void verifyTarget(TargetFile target, byte[] data) {
    checkLengthAndHashes(
        data, OptionalLong.of(target.length()), target.hashes(), "target " + target.path());
  }

  // ---- shared checks -----------------------------------------------------------------------

  private void checkFinalRoot() {
    Root trusted = root.signed();
    if (trusted.isExpired(now())) {
      throw ExpiredMetadataException.of(ROOT, trusted.version(), trusted.expires(), now());
    }
  }

  private void checkFinalTimestamp() {
    Timestamp ts = requireTimestamp().signed();
    if (ts.isExpired(now())) {
      throw ExpiredMetadataException.of(TIMESTAMP, ts.version(), ts.expires(), now());
    }
  }

  private void checkFinalSnapshot() {
    Snapshot snap = requireSnapshot().signed();
    if (snap.isExpired(now())) {
      throw ExpiredMetadataException.of(SNAPSHOT, snap.version(), snap.expires(), now());
    }
    long expected = requireTimestamp().signed().snapshotMeta().version();
    if (snap.version() != expected) {
      throw MixAndMatchException.versionMismatch(
          SNAPSHOT, snap.version(), TIMESTAMP, requireTimestamp().signed().version(), expected);
    }
  }

  private void checkGateway(SignedMetadata<? extends Signed> candidate, String roleName) {
    if (gatewayId == null) {
      return;
    }
    JsonValue gateway = candidate.signedJson().get("gateway");
    if (!(gateway instanceof JsonString named) || !named.value().equals(gatewayId)) {
      String found = gateway instanceof JsonString s ? s.value() : null;
      throw WrongGatewayException.of(roleName, candidate.signed().version(), found, gatewayId);
    }
  }

  private static void checkLengthAndHashes(
      byte[] data, OptionalLong length, Map<String, String> hashes, String what) {
    if (length.isPresent() && data.length != length.getAsLong()) {
      throw HashMismatchException.length(what, length.getAsLong(), data.length);
    }
    for (Map.Entry<String, String> hash : hashes.entrySet()) {
      String algorithm =
          switch (hash.getKey()) {
            case "sha256" -> "SHA-256";
            case "sha384" -> "SHA-384";
            case "sha512" -> "SHA-512";
            default -> throw HashMismatchException.unsupportedAlgorithm(what, hash.getKey());
          };
      byte[] actual = Digests.digest(algorithm, data);
      byte[] expected;
      try {
        expected = HexFormat.of().parseHex(hash.getValue());
      } catch (IllegalArgumentException e) {
        throw new JsonFormatException(what + " has a malformed " + hash.getKey() + " digest", e);
      }
      if (!MessageDigest.isEqual(actual, expected)) {
        throw HashMismatchException.digest(
            what, hash.getKey(), hash.getValue(), HexFormat.of().formatHex(actual));
      }
    }
  }

  private static String fileName(String roleName, OptionalLong version) {
    return (version.isPresent() ? version.getAsLong() + "." : "") + roleName + ".json";
  }

  private SignedMetadata<Timestamp> requireTimestamp() {
    SignedMetadata<Timestamp> ts = timestamp;
    if (ts == null) {
      throw new IllegalStateException("timestamp must be loaded first");
    }
    return ts;
  }

  private SignedMetadata<Snapshot> requireSnapshot() {
    SignedMetadata<Snapshot> snap = snapshot;
    if (snap == null) {
      throw new IllegalStateException("snapshot must be loaded first");
    }
    return snap;
  }

  private Instant now() {
    Instant now = referenceTime;
    return now == null ? clock.instant() : now;
  }

  /** Builds a {@link TufClient}; repository and store are required. */
  public static final class Builder {
    private @Nullable Repository repository;
    private @Nullable TrustedStore store;
    private Clock clock = Clock.systemUTC();
    private Limits limits = Limits.DEFAULT;
    private JsonParser parser = JsonParser.withDefaults();
    private boolean requireHybrid = true;
    private final Map<String, PinnedRole> pinnedRoles = new LinkedHashMap<>();
    private @Nullable String gatewayId;

    private Builder() {}

    public Builder repository(Repository repository) {
      this.repository = repository;
      return this;
    }

    public Builder store(TrustedStore store) {
      this.store = store;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder limits(Limits limits) {
      this.limits = limits;
      return this;
    }

    public Builder parser(JsonParser parser) {
      this.parser = parser;
      return this;
    }

    /**
     * Whether root, targets and every delegated targets role must list only composite keys. On by
     * default; a plain TUF client for interoperability turns it off.
     */
    public Builder requireHybrid(boolean requireHybrid) {
      this.requireHybrid = requireHybrid;
      return this;
    }

    /**
     * Pins a delegated role to keys the gateway holds as a trust anchor (e.g. the director's {@code
     * grants} role to the site keys): whoever delegates it must name exactly those keys and that
     * threshold, or the role is refused.
     */
    public Builder pin(PinnedRole pinned) {
      this.pinnedRoles.put(pinned.roleName(), pinned);
      return this;
    }

    /**
     * Makes this a director client for one gateway: timestamp, snapshot and targets must carry
     * {@code "gateway": id} in their signed object, checked before anything is stored.
     */
    public Builder gatewayId(String gatewayId) {
      this.gatewayId = gatewayId;
      return this;
    }

    /** Reads and verifies the trusted root from the store; fails if there is none. */
    public TufClient build() {
      return new TufClient(this);
    }
  }
}
