package dev.graft.signer.repo;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
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
import dev.graft.bundle.tuf.TufClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An image repository in a directory, read and checked when opened. Published metadata lives in
 * {@code metadata/} in the standard TUF layout ({@code N.root.json}, {@code timestamp.json}, {@code
 * N.snapshot.json}, {@code N.targets.json}); bundles in {@code targets/} under consistent-snapshot
 * names ({@code SHA256.NAME}). Only those two folders are meant to be served.
 *
 * <p>Root and targets are signed offline, m of n, so a new version of either is first
 * <em>staged</em> ({@code staged/root.json}, {@code staged/targets.json}): the complete metadata
 * file with the signatures collected so far. Each signer adds one signature; the one that reaches
 * the threshold publishes it, and the online snapshot and timestamp keys then sign new snapshot and
 * timestamp versions, so the published repository is always consistent.
 *
 * <p>An instance is an immutable view of the directory at the time it was opened; every operation
 * writes files and returns a freshly opened view. Nothing is written when an operation fails.
 */
public final class ImageRepository {
  static final long MAX_METADATA_BYTES = JsonParser.DEFAULT_MAX_BYTES;

  private final Path directory;
  private final RepoSettings settings;
  private final Clock clock;
  private final List<SignedMetadata<Root>> roots;
  private final @Nullable SignedMetadata<Targets> targets;
  private final @Nullable SignedMetadata<Snapshot> snapshot;
  private final @Nullable SignedMetadata<Timestamp> timestamp;
  private final @Nullable SignedMetadata<Root> stagedRoot;
  private final @Nullable SignedMetadata<Targets> stagedTargets;

  private ImageRepository(
      Path directory,
      RepoSettings settings,
      Clock clock,
      List<SignedMetadata<Root>> roots,
      @Nullable SignedMetadata<Targets> targets,
      @Nullable SignedMetadata<Snapshot> snapshot,
      @Nullable SignedMetadata<Timestamp> timestamp,
      @Nullable SignedMetadata<Root> stagedRoot,
      @Nullable SignedMetadata<Targets> stagedTargets) {
    this.directory = directory;
    this.settings = settings;
    this.clock = clock;
    this.roots = List.copyOf(roots);
    this.targets = targets;
    this.snapshot = snapshot;
    this.timestamp = timestamp;
    this.stagedRoot = stagedRoot;
    this.stagedTargets = stagedTargets;
  }

  // ---- layout ---------------------------------------------------------------------------------

  public Path directory() {
    return directory;
  }

  public static Path metadataDirectory(Path directory) {
    return directory.resolve("metadata");
  }

  public static Path targetsDirectory(Path directory) {
    return directory.resolve("targets");
  }

  public static Path stagedFile(Path directory, RoleType role) {
    return directory.resolve("staged").resolve(role.fileName());
  }

  /** Where a target's bytes live: {@code targets/SHA256.NAME}. */
  public Path targetFile(TargetFile target) {
    return targetsDirectory(directory).resolve(target.hashes().get("sha256") + "." + target.path());
  }

  // ---- opening --------------------------------------------------------------------------------

  /**
   * Opens the repository in {@code directory}, checking every published metadata file (signatures
   * against thresholds, the root chain, versions and hashes named by timestamp and snapshot) and
   * every staged signature.
   *
   * @throws RepoException naming the first file that fails a check and what to do
   */
  public static ImageRepository open(Path directory, Clock clock) {
    Path settingsFile = directory.resolve(RepoSettings.FILE_NAME);
    byte[] settingsBytes =
        RepoFiles.readIfPresent(settingsFile, 64 * 1024)
            .orElseThrow(() ->
                new RepoException(
                    directory
                        + " is not a graft repository (it has no "
                        + RepoSettings.FILE_NAME
                        + "); create one with `graft repo init "
                        + directory
                        + "`"));
    RepoSettings settings = RepoSettings.parse(settingsBytes, settingsFile.toString());
    Path metadata = metadataDirectory(directory);

    List<SignedMetadata<Root>> roots = new ArrayList<>();
    for (long version = 1; ; version++) {
      Path file = metadata.resolve(version + ".root.json");
      Optional<byte[]> bytes = RepoFiles.readIfPresent(file, MAX_METADATA_BYTES);
      if (bytes.isEmpty()) {
        break;
      }
      SignedMetadata<Root> root =
          parse(file, () -> SignedMetadata.parseRoot(bytes.get(), parser()));
      if (root.signed().version() != version) {
        throw tampered(file, "it holds root version " + root.signed().version());
      }
      requireThreshold(file, root, root.signed(), RoleType.ROOT, "its own root role");
      if (!roots.isEmpty()) {
        requireThreshold(
            file,
            root,
            roots.getLast().signed(),
            RoleType.ROOT,
            "the root role of root version " + (version - 1));
      }
      roots.add(root);
    }

    SignedMetadata<Timestamp> timestamp = null;
    SignedMetadata<Snapshot> snapshot = null;
    SignedMetadata<Targets> targets = null;
    Path timestampFile = metadata.resolve("timestamp.json");
    Optional<byte[]> timestampBytes = RepoFiles.readIfPresent(timestampFile, MAX_METADATA_BYTES);
    if (timestampBytes.isPresent()) {
      if (roots.isEmpty()) {
        throw tampered(timestampFile, "there is no published root (metadata/1.root.json)");
      }
      Root root = roots.getLast().signed();
      timestamp =
          parse(timestampFile, () -> SignedMetadata.parseTimestamp(timestampBytes.get(), parser()));
      requireThreshold(timestampFile, timestamp, root, RoleType.TIMESTAMP, "root");
      MetaFile snapshotMeta = timestamp.signed().snapshotMeta();
      Path snapshotFile = metadata.resolve(snapshotMeta.version() + ".snapshot.json");
      byte[] snapshotBytes = RepoFiles.read(snapshotFile, MAX_METADATA_BYTES);
      requireMeta(snapshotFile, snapshotBytes, snapshotMeta, "timestamp.json");
      snapshot = parse(snapshotFile, () -> SignedMetadata.parseSnapshot(snapshotBytes, parser()));
      requireThreshold(snapshotFile, snapshot, root, RoleType.SNAPSHOT, "root");
      MetaFile targetsMeta =
          snapshot
              .signed()
              .metaFor("targets")
              .orElseThrow(() -> tampered(snapshotFile, "it does not list targets.json"));
      Path targetsFile = metadata.resolve(targetsMeta.version() + ".targets.json");
      byte[] targetsBytes = RepoFiles.read(targetsFile, MAX_METADATA_BYTES);
      requireMeta(targetsFile, targetsBytes, targetsMeta, snapshotFile.getFileName().toString());
      targets = parse(targetsFile, () -> SignedMetadata.parseTargets(targetsBytes, parser()));
      requireThreshold(targetsFile, targets, root, RoleType.TARGETS, "root");
    }

    SignedMetadata<Root> stagedRoot = null;
    Path stagedRootFile = stagedFile(directory, RoleType.ROOT);
    Optional<byte[]> stagedRootBytes = RepoFiles.readIfPresent(stagedRootFile, MAX_METADATA_BYTES);
    if (stagedRootBytes.isPresent()) {
      stagedRoot =
          parse(stagedRootFile, () -> SignedMetadata.parseRoot(stagedRootBytes.get(), parser()));
    }
    SignedMetadata<Targets> stagedTargets = null;
    Path stagedTargetsFile = stagedFile(directory, RoleType.TARGETS);
    Optional<byte[]> stagedTargetsBytes =
        RepoFiles.readIfPresent(stagedTargetsFile, MAX_METADATA_BYTES);
    if (stagedTargetsBytes.isPresent()) {
      stagedTargets =
          parse(
              stagedTargetsFile,
              () -> SignedMetadata.parseTargets(stagedTargetsBytes.get(), parser()));
    }
    ImageRepository repository =
        new ImageRepository(
            directory,
            settings,
            clock,
            roots,
            targets,
            snapshot,
            timestamp,
            stagedRoot,
            stagedTargets);
    repository.checkStagedSignatures();
    return repository;
  }

  /**
   * Creates a new repository: writes its settings and stages root and targets version 1, signed by
   * every one of {@code signers} that is one of the role's keys, then publishes whatever reaches
   * its threshold.
   *
   * @throws RepoException when {@code directory} already holds a repository or is not empty
   */
  public static ImageRepository create(
      Path directory,
      RepoSettings settings,
      Root root,
      List<Signer> signers,
      OnlineSigners online,
      Clock clock) {
    requireFresh(directory, List.of("metadata", "targets", "staged"));
    Targets targets =
        new Targets(
            Signed.SPEC_VERSION,
            1,
            expiry(clock, settings, RoleType.TARGETS),
            Map.of(),
            Optional.empty(),
            JsonObject.empty());
    SignedMetadata<Root> stagedRoot =
        SignedMetadata.sign(root, roleSigners(signers, root, RoleType.ROOT));
    SignedMetadata<Targets> stagedTargets =
        SignedMetadata.sign(targets, roleSigners(signers, root, RoleType.TARGETS));
    ImageRepository staged =
        new ImageRepository(
            directory, settings, clock, List.of(), null, null, null, stagedRoot, stagedTargets);
    Publication publication = staged.publication(online);
    RepoFiles.writeAtomically(directory.resolve(RepoSettings.FILE_NAME), settings.toBytes());
    try {
      Files.createDirectories(targetsDirectory(directory));
      Files.createDirectories(metadataDirectory(directory));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    RepoFiles.writeAtomically(stagedFile(directory, RoleType.ROOT), stagedRoot.toBytes());
    RepoFiles.writeAtomically(stagedFile(directory, RoleType.TARGETS), stagedTargets.toBytes());
    publication.write(directory);
    return open(directory, clock);
  }

  /**
   * Refuses a directory that already holds a repository or parts of one.
   *
   * @throws RepoException naming what is there
   */
  public static void requireFresh(Path directory) {
    requireFresh(directory, List.of("metadata", "targets", "staged", "keys"));
  }

  private static void requireFresh(Path directory, List<String> folders) {
    if (Files.exists(directory.resolve(RepoSettings.FILE_NAME))) {
      throw new RepoException(
          directory + " already holds a graft repository; choose an empty or new directory");
    }
    for (String name : folders) {
      if (Files.exists(directory.resolve(name))) {
        throw new RepoException(
            directory + " already has a " + name + "/ folder; choose an empty or new directory");
      }
    }
  }

  /** Those of {@code signers} that are keys of {@code role} in {@code keysFrom}, each key once. */
  private static List<Signer> roleSigners(List<Signer> signers, Root keysFrom, RoleType role) {
    List<Signer> chosen = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Signer signer : signers) {
      if (keysFrom.role(role).keyIds().contains(signer.keyId()) && seen.add(signer.keyId())) {
        chosen.add(signer);
      }
    }
    return chosen;
  }

  // ---- state ----------------------------------------------------------------------------------

  /** The time this view uses for expiry decisions. */
  public Instant clockInstant() {
    return clock.instant();
  }

  public RepoSettings settings() {
    return settings;
  }

  /** The latest published root; empty until root version 1 has its signatures. */
  public Optional<SignedMetadata<Root>> root() {
    return roots.isEmpty() ? Optional.empty() : Optional.of(roots.getLast());
  }

  public Optional<SignedMetadata<Targets>> targets() {
    return Optional.ofNullable(targets);
  }

  public Optional<SignedMetadata<Snapshot>> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  public Optional<SignedMetadata<Timestamp>> timestamp() {
    return Optional.ofNullable(timestamp);
  }

  public Optional<SignedMetadata<Root>> stagedRoot() {
    return Optional.ofNullable(stagedRoot);
  }

  public Optional<SignedMetadata<Targets>> stagedTargets() {
    return Optional.ofNullable(stagedTargets);
  }

  /** The staged version of an offline role, when there is one. */
  public Optional<SignedMetadata<?>> staged(RoleType role) {
    return switch (role) {
      case ROOT -> Optional.ofNullable(stagedRoot);
      case TARGETS -> Optional.ofNullable(stagedTargets);
      default -> Optional.empty();
    };
  }

  /** The published version of a role, when there is one. */
  public Optional<SignedMetadata<?>> published(RoleType role) {
    return switch (role) {
      case ROOT -> Optional.ofNullable(roots.isEmpty() ? null : roots.getLast());
      case TARGETS -> Optional.ofNullable(targets);
      case SNAPSHOT -> Optional.ofNullable(snapshot);
      case TIMESTAMP -> Optional.ofNullable(timestamp);
    };
  }

  /** The root whose keys decide a role: the staged root for itself, else the published one. */
  public Root effectiveRoot() {
    if (!roots.isEmpty()) {
      return roots.getLast().signed();
    }
    if (stagedRoot != null) {
      return stagedRoot.signed();
    }
    throw new RepoException(directory + " has neither a published nor a staged root");
  }

  /**
   * The signatures a staged role has and needs. A staged root needs its own threshold and, when it
   * replaces a published root, that root's threshold too.
   */
  public List<Requirement> requirements(RoleType role) {
    SignedMetadata<?> staged =
        staged(role)
            .orElseThrow(() ->
                new RepoException(
                    role.typeName()
                        + " has no staged version in "
                        + directory
                        + "; "
                        + nextStep(role)));
    List<Requirement> requirements = new ArrayList<>();
    if (role == RoleType.ROOT) {
      Root next = (Root) staged.signed();
      requirements.add(requirement(staged, next, "root version " + next.version()));
      if (!roots.isEmpty()) {
        Root previous = roots.getLast().signed();
        requirements.add(requirement(staged, previous, "root version " + previous.version()));
      }
    } else {
      // Staged targets count against the root that will be in effect when they are published.
      Root root = stagedRoot != null ? stagedRoot.signed() : effectiveRoot();
      requirements.add(
          requirement(
              staged,
              root,
              (stagedRoot != null ? "staged " : "") + "root version " + root.version()));
    }
    return requirements;
  }

  /** Keys that may sign a staged role: every key some requirement counts. */
  public Map<String, TufKey> signingKeys(RoleType role) {
    Map<String, TufKey> keys = new LinkedHashMap<>();
    for (Requirement requirement : requirements(role)) {
      keys.putAll(requirement.keys());
    }
    return keys;
  }

  private Requirement requirement(SignedMetadata<?> staged, Root keysFrom, String source) {
    RoleType role = staged.signed().roleType();
    Map<String, TufKey> keys = roleKeys(keysFrom, role);
    return new Requirement(
        source, keysFrom.role(role).threshold(), keys, validSigners(staged, keys));
  }

  /**
   * One threshold a staged role must meet.
   *
   * @param source whose role entry sets it ("root version 3")
   * @param keys the key ids and keys that count
   * @param signed the key ids among them that have validly signed
   */
  public record Requirement(
      String source, int threshold, Map<String, TufKey> keys, Set<String> signed) {
    public boolean met() {
      return signed.size() >= threshold;
    }

    public List<String> missing() {
      List<String> missing = new ArrayList<>(keys.keySet());
      missing.removeAll(signed);
      return missing;
    }
  }

  // ---- staging --------------------------------------------------------------------------------

  /** The targets the next targets version starts from: the staged version, else the published. */
  public Map<String, TargetFile> currentTargets() {
    if (stagedTargets != null) {
      return stagedTargets.signed().targets();
    }
    return targets == null ? Map.of() : targets.signed().targets();
  }

  /**
   * Stages a new targets version listing {@code newTargets} (replacing any staged version and its
   * signatures, which no longer cover it) and copies {@code bundles} (target path to bytes) into
   * {@code targets/} first.
   *
   * @return how many signatures the replaced staged version had
   */
  public int stageTargets(Map<String, TargetFile> newTargets, Map<String, byte[]> bundles) {
    long version =
        stagedTargets != null
            ? stagedTargets.signed().version()
            : (targets == null ? 1 : targets.signed().version() + 1);
    Targets next =
        new Targets(
            Signed.SPEC_VERSION,
            version,
            expiry(clock, settings, RoleType.TARGETS),
            newTargets,
            Optional.empty(),
            JsonObject.empty());
    for (Map.Entry<String, byte[]> bundle : bundles.entrySet()) {
      TargetFile target = newTargets.get(bundle.getKey());
      if (target == null) {
        throw new IllegalArgumentException("bundle " + bundle.getKey() + " is not a target");
      }
      RepoFiles.writeAtomically(targetFile(target), bundle.getValue());
    }
    int discarded = stagedTargets == null ? 0 : stagedTargets.signatures().size();
    RepoFiles.writeAtomically(
        stagedFile(directory, RoleType.TARGETS), SignedMetadata.of(next, List.of()).toBytes());
    return discarded;
  }

  /**
   * Stages a new root version made by {@code change} from the current one (the staged root when
   * there is one, else the published), with a fresh expiry.
   *
   * @return how many signatures the replaced staged version had
   */
  public int stageRoot(UnaryOperator<Root> change) {
    Root base = stagedRoot != null ? stagedRoot.signed() : effectiveRoot();
    long version = roots.isEmpty() ? 1 : roots.getLast().signed().version() + 1;
    Root changed = change.apply(base);
    Root next =
        new Root(
            Signed.SPEC_VERSION,
            version,
            expiry(clock, settings, RoleType.ROOT),
            changed.consistentSnapshot(),
            changed.keys(),
            changed.roles(),
            changed.unrecognized());
    for (RoleType role : RoleType.values()) {
      Role entry = next.role(role);
      if (entry.threshold() > entry.keyIds().size()) {
        throw new RepoException(
            role.typeName()
                + " would need "
                + entry.threshold()
                + " signatures but lists only "
                + entry.keyIds().size()
                + " key(s); lower the threshold or add keys");
      }
    }
    int discarded = stagedRoot == null ? 0 : stagedRoot.signatures().size();
    RepoFiles.writeAtomically(
        stagedFile(directory, RoleType.ROOT), SignedMetadata.of(next, List.of()).toBytes());
    return discarded;
  }

  /** Writes new repository settings (for example an added online key). */
  public void saveSettings(RepoSettings newSettings) {
    RepoFiles.writeAtomically(directory.resolve(RepoSettings.FILE_NAME), newSettings.toBytes());
  }

  // ---- signing --------------------------------------------------------------------------------

  /** The exact bytes a signature over the staged role covers. */
  public byte[] canonicalStaged(RoleType role) {
    return staged(role)
        .orElseThrow(
            () -> new RepoException(role.typeName() + " has no staged version; " + nextStep(role)))
        .canonicalSigned();
  }

  /**
   * Checks that {@code keyId} may sign the staged {@code role} and has not yet.
   *
   * @throws RepoException naming the key and the role's keys
   */
  public void requireSigningKey(RoleType role, String keyId) {
    Map<String, TufKey> keys = signingKeys(role);
    if (!keys.containsKey(keyId)) {
      throw new RepoException(
          "key "
              + keyId
              + " is not one of the keys of role "
              + role.typeName()
              + " (its keys: "
              + String.join(", ", keys.keySet())
              + "); sign with one of those, or add this key with `graft repo rotate-key "
              + directory
              + " "
              + role.typeName()
              + " --add KEY`");
    }
    SignedMetadata<?> staged = staged(role).orElseThrow();
    for (Signature signature : staged.signatures()) {
      if (signature.keyId().equals(keyId)) {
        throw new RepoException(
            "key "
                + keyId
                + " has already signed "
                + role.typeName()
                + " version "
                + staged.signed().version()
                + "; the next signature must come from another key holder");
      }
    }
  }

  /**
   * Refuses to sign a staged version whose expiry has passed: once published, every client would
   * refuse it (and {@code verify} with them).
   *
   * @throws RepoException naming the command that stages a renewed version
   */
  public void requireUnexpired(RoleType role) {
    SignedMetadata<?> staged =
        staged(role)
            .orElseThrow(() ->
                new RepoException(role.typeName() + " has no staged version; " + nextStep(role)));
    if (staged.signed().isExpired(clock.instant())) {
      throw new RepoException(
          role.typeName()
              + " version "
              + staged.signed().version()
              + " as staged expired at "
              + staged.signed().expires()
              + "; gateways would refuse it once published. Stage it again with a fresh expiry"
              + " ("
              + renewal(role)
              + ") and collect its signatures");
    }
  }

  /** The command that stages {@code role} again with a fresh expiry. */
  public String renewal(RoleType role) {
    return switch (role) {
      case ROOT -> "`graft repo renew " + directory + " root`";
      case TARGETS -> "`graft repo renew " + directory + " targets`";
      default -> "`graft repo refresh-timestamp " + directory + "`";
    };
  }

  /**
   * Whether a signature by {@code keyId} would bring every threshold of the staged {@code role} to
   * its signature count, so that adding it publishes (and the online keys sign).
   */
  public boolean wouldPublish(RoleType role, String keyId) {
    for (Requirement requirement : requirements(role)) {
      int count =
          requirement.signed().size()
              + (requirement.keys().containsKey(keyId) && !requirement.signed().contains(keyId)
                  ? 1
                  : 0);
      if (count < requirement.threshold()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds one signature to the staged {@code role} after checking it, then publishes what has
   * reached its threshold (signing new snapshot and timestamp versions with {@code online}).
   *
   * @return the files published, empty when the role still lacks signatures
   * @throws RepoException when the key is not the role's, has signed already, or the signature does
   *     not verify over the staged bytes
   */
  public List<String> addSignature(RoleType role, Signature signature, OnlineSigners online) {
    requireSigningKey(role, signature.keyId());
    requireUnexpired(role);
    SignedMetadata<?> staged = staged(role).orElseThrow();
    TufKey key = signingKeys(role).get(signature.keyId());
    Optional<Verifier> verifier = key == null ? Optional.empty() : Verifiers.forKey(key);
    Optional<byte[]> bytes = signature.bytes();
    if (verifier.isEmpty()
        || bytes.isEmpty()
        || !verifier.get().verify(staged.canonicalSigned(), bytes.get())) {
      throw new RepoException(
          "the signature by key "
              + signature.keyId()
              + " does not verify over "
              + role.typeName()
              + " version "
              + staged.signed().version()
              + " as staged now: it was made for other content (was the staged version replaced"
              + " since the request was exported?) or is damaged. Export a new request and sign"
              + " again");
    }
    byte[] updated = staged.withSignatures(List.of(signature)).toBytes();
    ImageRepository next = withStaged(role, updated);
    Publication publication = next.publication(online);
    RepoFiles.writeAtomically(stagedFile(directory, role), updated);
    publication.write(directory);
    return publication.published();
  }

  private ImageRepository withStaged(RoleType role, byte[] bytes) {
    return switch (role) {
      case ROOT ->
          new ImageRepository(
              directory,
              settings,
              clock,
              roots,
              targets,
              snapshot,
              timestamp,
              SignedMetadata.parseRoot(bytes, parser()),
              stagedTargets);
      case TARGETS ->
          new ImageRepository(
              directory,
              settings,
              clock,
              roots,
              targets,
              snapshot,
              timestamp,
              stagedRoot,
              SignedMetadata.parseTargets(bytes, parser()));
      default -> throw new IllegalArgumentException(role + " is never staged");
    };
  }

  /**
   * Re-signs the timestamp with the online key, with a fresh expiry; also the snapshot when it
   * would expire before the refresh after next is due (so a daily timer keeps both alive). Safe to
   * run at any time: it changes nothing but online versions and expiries.
   *
   * @return the files written
   */
  public List<String> refreshTimestamp(OnlineSigners online) {
    if (targets == null || snapshot == null || timestamp == null) {
      throw new RepoException(
          directory
              + " has no published targets yet, so there is no timestamp to refresh; "
              + nextStep(RoleType.TARGETS));
    }
    Instant nextRefreshDue = expiry(clock, settings, RoleType.TIMESTAMP);
    boolean snapshotToo =
        snapshot
            .signed()
            .expires()
            .isBefore(nextRefreshDue.plus(settings.lifetime(RoleType.TIMESTAMP)));
    Publication publication =
        new Publication(List.of(), targets, snapshotToo ? null : snapshot, List.of());
    publication =
        onlineVersions(publication, roots.getLast().signed(), targets, online, snapshotToo);
    publication.write(directory);
    return publication.published();
  }

  // ---- publication ----------------------------------------------------------------------------

  /**
   * Files to write, in order: new root versions, then targets, snapshot, and timestamp last (a
   * client reading the repository meanwhile sees the old timestamp, hence the old consistent set).
   */
  private record Publication(
      List<Map.Entry<String, byte[]>> files,
      @Nullable SignedMetadata<Targets> targets,
      @Nullable SignedMetadata<Snapshot> snapshot,
      List<RoleType> clearStaged) {
    void write(Path directory) {
      for (Map.Entry<String, byte[]> file : files) {
        RepoFiles.writeAtomically(
            metadataDirectory(directory).resolve(file.getKey()), file.getValue());
      }
      for (RoleType role : clearStaged) {
        RepoFiles.delete(stagedFile(directory, role));
      }
    }

    List<String> published() {
      List<String> names = new ArrayList<>();
      files.forEach(f -> names.add("metadata/" + f.getKey()));
      return names;
    }
  }

  /** What becomes publishable with the staged state as it is; signs online roles as needed. */
  private Publication publication(OnlineSigners online) {
    List<Map.Entry<String, byte[]>> files = new ArrayList<>();
    List<RoleType> clear = new ArrayList<>();
    Root root = roots.isEmpty() ? null : roots.getLast().signed();
    boolean rootPublished = false;
    if (stagedRoot != null && requirements(RoleType.ROOT).stream().allMatch(Requirement::met)) {
      Root next = stagedRoot.signed();
      // A new root must not strand the targets clients have: it is published only together with
      // targets that meet its targets threshold (the staged version, or the published one).
      boolean targetsFit =
          (stagedTargets != null && meets(stagedTargets, next, RoleType.TARGETS))
              || (targets != null && meets(targets, next, RoleType.TARGETS))
              || (targets == null && stagedTargets != null);
      if (targetsFit) {
        files.add(Map.entry(next.version() + ".root.json", stagedRoot.toBytes()));
        clear.add(RoleType.ROOT);
        root = next;
        rootPublished = true;
      }
    }
    if (root == null) {
      return new Publication(files, targets, snapshot, clear);
    }
    SignedMetadata<Targets> publishedTargets = targets;
    boolean targetsPublished = false;
    // While a new root is staged, staged targets wait until they also meet its targets keys, so
    // they never strand the new root (which is published only with targets that fit it).
    if (stagedTargets != null
        && meets(stagedTargets, root, RoleType.TARGETS)
        && (stagedRoot == null || meets(stagedTargets, stagedRoot.signed(), RoleType.TARGETS))) {
      files.add(
          Map.entry(stagedTargets.signed().version() + ".targets.json", stagedTargets.toBytes()));
      clear.add(RoleType.TARGETS);
      publishedTargets = stagedTargets;
      targetsPublished = true;
    }
    Publication publication = new Publication(files, publishedTargets, snapshot, clear);
    if (publishedTargets != null && (rootPublished || targetsPublished)) {
      // A new root may have rotated the online keys: new snapshot and timestamp either way.
      publication = onlineVersions(publication, root, publishedTargets, online, true);
    }
    return publication;
  }

  private static boolean meets(SignedMetadata<?> metadata, Root root, RoleType role) {
    return validSigners(metadata, roleKeys(root, role)).size() >= root.role(role).threshold();
  }

  private Publication onlineVersions(
      Publication publication,
      Root root,
      SignedMetadata<Targets> currentTargets,
      OnlineSigners online,
      boolean newSnapshot) {
    List<Map.Entry<String, byte[]>> files = new ArrayList<>(publication.files());
    SignedMetadata<Snapshot> currentSnapshot = publication.snapshot();
    byte[] snapshotBytes;
    long snapshotVersion;
    if (newSnapshot || currentSnapshot == null) {
      snapshotVersion = snapshot == null ? 1 : snapshot.signed().version() + 1;
      Snapshot next =
          new Snapshot(
              Signed.SPEC_VERSION,
              snapshotVersion,
              expiry(clock, settings, RoleType.SNAPSHOT),
              Map.of("targets.json", MetaFile.of(currentTargets.signed().version())),
              JsonObject.empty());
      snapshotBytes = sign(next, root, online);
      files.add(Map.entry(snapshotVersion + ".snapshot.json", snapshotBytes));
    } else {
      snapshotVersion = currentSnapshot.signed().version();
      snapshotBytes =
          RepoFiles.read(
              metadataDirectory(directory).resolve(snapshotVersion + ".snapshot.json"),
              MAX_METADATA_BYTES);
    }
    long timestampVersion = timestamp == null ? 1 : timestamp.signed().version() + 1;
    Timestamp next =
        new Timestamp(
            Signed.SPEC_VERSION,
            timestampVersion,
            expiry(clock, settings, RoleType.TIMESTAMP),
            new MetaFile(
                snapshotVersion,
                OptionalLong.of(snapshotBytes.length),
                Map.of("sha256", RepoFiles.hex("SHA-256", snapshotBytes)),
                JsonObject.empty()),
            JsonObject.empty());
    files.add(Map.entry("timestamp.json", sign(next, root, online)));
    return new Publication(files, currentTargets, currentSnapshot, publication.clearStaged());
  }

  /** Signs an online role's metadata with as many of its keys as its threshold needs. */
  private byte[] sign(Signed signed, Root root, OnlineSigners online) {
    RoleType role = signed.roleType();
    Role entry = root.role(role);
    List<Signer> chosen = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Signer signer : online.signers(role, entry.keyIds())) {
      if (chosen.size() >= entry.threshold()) {
        break;
      }
      if (entry.keyIds().contains(signer.keyId()) && seen.add(signer.keyId())) {
        chosen.add(signer);
      }
    }
    if (chosen.size() < entry.threshold()) {
      throw new RepoException(
          "cannot sign "
              + role.typeName()
              + ": root version "
              + root.version()
              + " needs "
              + entry.threshold()
              + " signature(s) by its keys "
              + String.join(", ", entry.keyIds())
              + " but the online keys configured in "
              + RepoSettings.FILE_NAME
              + " provide "
              + chosen.size()
              + "; add the key with `graft repo rotate-key "
              + directory
              + " "
              + role.typeName()
              + " --add KEY`");
    }
    return SignedMetadata.sign(signed, chosen).toBytes();
  }

  // ---- checks ---------------------------------------------------------------------------------

  /** Every staged signature must verify: one that does not means the file changed after signing. */
  private void checkStagedSignatures() {
    for (RoleType role : List.of(RoleType.ROOT, RoleType.TARGETS)) {
      Optional<SignedMetadata<?>> staged = staged(role);
      if (staged.isEmpty()) {
        continue;
      }
      if (role == RoleType.TARGETS && roots.isEmpty() && stagedRoot == null) {
        throw tampered(stagedFile(directory, role), "there is no root, published or staged");
      }
      Map<String, TufKey> keys = signingKeys(role);
      Set<String> valid = validSigners(staged.get(), keys);
      for (Signature signature : staged.get().signatures()) {
        if (!valid.contains(signature.keyId())) {
          throw tampered(
              stagedFile(directory, role),
              "its signature by key "
                  + signature.keyId()
                  + (keys.containsKey(signature.keyId())
                      ? " does not verify over its content"
                      : " is by a key that may not sign " + role.typeName()));
        }
      }
    }
  }

  /**
   * Checks every target file that published or staged targets list against its length and hashes.
   *
   * @throws RepoException naming the first file that is missing or does not match
   */
  public void verifyTargetFiles() {
    Map<String, TargetFile> all = new LinkedHashMap<>();
    if (targets != null) {
      all.putAll(targets.signed().targets());
    }
    all.putAll(currentTargets());
    for (TargetFile target : all.values()) {
      verifiedTargetBytes(target);
    }
  }

  /**
   * The bytes of {@code target}'s file, checked against its signed length and hashes.
   *
   * @throws RepoException if the file is missing or does not match
   */
  byte[] verifiedTargetBytes(TargetFile target) {
    Path file = targetFile(target);
    byte[] bytes =
        RepoFiles.readIfPresent(file, target.length())
            .orElseThrow(() ->
                new RepoException(
                    "target "
                        + target.path()
                        + " is missing: "
                        + file
                        + " does not exist; restore it from your release archive"));
    try {
      TufClient.verifyTarget(target, bytes);
    } catch (TrustException e) {
      throw tampered(
          file, "it does not match target " + target.path() + " (" + e.getMessage() + ")");
    }
    return bytes;
  }

  private static Set<String> validSigners(SignedMetadata<?> metadata, Map<String, TufKey> keys) {
    byte[] message = metadata.canonicalSigned();
    Set<String> fingerprints = new HashSet<>();
    Set<String> signers = new LinkedHashSet<>();
    for (Signature signature : metadata.signatures()) {
      TufKey key = keys.get(signature.keyId());
      if (key == null) {
        continue;
      }
      Optional<Verifier> verifier = Verifiers.forKey(key);
      Optional<byte[]> bytes = signature.bytes();
      if (verifier.isPresent()
          && bytes.isPresent()
          && verifier.get().verify(message, bytes.get())
          && fingerprints.add(verifier.get().fingerprint())) {
        signers.add(signature.keyId());
      }
    }
    return signers;
  }

  /** The keys root lists for a role, by key id (ids root does not define are left out). */
  static Map<String, TufKey> roleKeys(Root root, RoleType role) {
    Map<String, TufKey> keys = new LinkedHashMap<>();
    for (String id : root.role(role).keyIds()) {
      TufKey key = root.keys().get(id);
      if (key != null) {
        keys.put(id, key);
      }
    }
    return keys;
  }

  private static void requireThreshold(
      Path file, SignedMetadata<?> metadata, Root keysFrom, RoleType role, String whose) {
    Role entry = keysFrom.role(role);
    Map<String, TufKey> keys = roleKeys(keysFrom, role);
    int valid = validSigners(metadata, keys).size();
    if (valid < entry.threshold()) {
      throw tampered(
          file,
          "it has "
              + valid
              + " valid signature(s) by the "
              + role.typeName()
              + " keys of "
              + whose
              + ", which requires "
              + entry.threshold());
    }
  }

  private static void requireMeta(Path file, byte[] bytes, MetaFile meta, String namedBy) {
    if (meta.length().isPresent() && meta.length().getAsLong() != bytes.length) {
      throw tampered(
          file,
          "it is " + bytes.length + " bytes but " + namedBy + " says " + meta.length().getAsLong());
    }
    for (Map.Entry<String, String> hash : meta.hashes().entrySet()) {
      String algorithm =
          switch (hash.getKey()) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> null;
          };
      if (algorithm != null && !RepoFiles.hex(algorithm, bytes).equals(hash.getValue())) {
        throw tampered(file, "its " + hash.getKey() + " is not the one " + namedBy + " names");
      }
    }
  }

  /** The documented refusal for a repository file that fails a check (docs/cli.md). */
  public static RepoException tampered(Path file, String why) {
    return new RepoException(
        file
            + " does not verify: "
            + why
            + ". The file was changed after it was signed, or is damaged; restore it from a"
            + " backup or the published copy, and do not sign or publish until it verifies");
  }

  private interface Parse<T> {
    T get();
  }

  private static <T> T parse(Path file, Parse<T> parse) {
    try {
      return parse.get();
    } catch (TrustException e) {
      throw tampered(file, String.valueOf(e.getMessage()));
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The next thing to do for a role that has nothing staged. */
  public String nextStep(RoleType role) {
    return switch (role) {
      case ROOT -> "stage one with `graft repo rotate-root " + directory + "`";
      case TARGETS -> "stage one with `graft release add " + directory + " BUNDLE`";
      default -> "snapshot and timestamp are signed by the online keys, never staged";
    };
  }

  static Instant expiry(Clock clock, RepoSettings settings, RoleType role) {
    return clock.instant().plus(settings.lifetime(role)).truncatedTo(ChronoUnit.SECONDS);
  }

  static JsonParser parser() {
    return JsonParser.withDefaults();
  }
}
