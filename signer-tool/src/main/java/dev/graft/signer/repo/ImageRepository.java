package dev.graft.signer.repo;

import static dev.graft.signer.repo.MetadataChecks.parse;
import static dev.graft.signer.repo.MetadataChecks.requireMeta;
import static dev.graft.signer.repo.MetadataChecks.requireThreshold;
import static dev.graft.signer.repo.MetadataChecks.roleKeys;
import static dev.graft.signer.repo.MetadataChecks.tampered;
import static dev.graft.signer.repo.MetadataChecks.validSigners;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signature;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An image repository in a directory ({@link RepoLayout}), read and checked when opened: every
 * published metadata file against the root chain, thresholds, versions and hashes, and every staged
 * signature. Root and targets are signed offline, m of n, so a new version of either is first
 * staged and collects signatures ({@link Staging}); the one that reaches the threshold publishes it
 * together with new snapshot and timestamp versions signed by the online keys ({@link
 * OnlineSigning}), so the published repository is always consistent.
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

  public Path directory() {
    return directory;
  }

  public RepoLayout layout() {
    return new RepoLayout(directory);
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
    RepoLayout layout = new RepoLayout(directory);
    Path metadata = layout.metadataDirectory();

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
    Path stagedRootFile = layout.stagedFile(RoleType.ROOT);
    Optional<byte[]> stagedRootBytes = RepoFiles.readIfPresent(stagedRootFile, MAX_METADATA_BYTES);
    if (stagedRootBytes.isPresent()) {
      stagedRoot =
          parse(stagedRootFile, () -> SignedMetadata.parseRoot(stagedRootBytes.get(), parser()));
    }
    SignedMetadata<Targets> stagedTargets = null;
    Path stagedTargetsFile = layout.stagedFile(RoleType.TARGETS);
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
   * Refuses a directory that already holds a repository or parts of one.
   *
   * @throws RepoException naming what is there
   */
  public static void requireFresh(Path directory) {
    requireFresh(directory, List.of("metadata", "targets", "staged", "keys"));
  }

  static void requireFresh(Path directory, List<String> folders) {
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

  // ---- state ----------------------------------------------------------------------------------

  /** The clock this view was opened with. */
  Clock clock() {
    return clock;
  }

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
                new RoleStateException(
                    role.typeName() + " has no staged version in " + directory,
                    directory,
                    role,
                    RoleStateException.State.NOTHING_STAGED));
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

  // ---- staging --------------------------------------------------------------------------------

  /** The targets the next targets version starts from: the staged version, else the published. */
  public Map<String, TargetFile> currentTargets() {
    if (stagedTargets != null) {
      return stagedTargets.signed().targets();
    }
    return targets == null ? Map.of() : targets.signed().targets();
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
        throw tampered(layout().stagedFile(role), "there is no root, published or staged");
      }
      Map<String, TufKey> keys = signingKeys(role);
      Set<String> valid = validSigners(staged.get(), keys);
      for (Signature signature : staged.get().signatures()) {
        if (!valid.contains(signature.keyId())) {
          throw tampered(
              layout().stagedFile(role),
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
    Path file = layout().targetFile(target);
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

  /** Writes new repository settings (for example an added online key). */
  public void saveSettings(RepoSettings newSettings) {
    RepoFiles.writeAtomically(directory.resolve(RepoSettings.FILE_NAME), newSettings.toBytes());
  }

  /** A view of a repository not yet written: nothing published, root and targets staged. */
  static ImageRepository unpublished(
      Path directory,
      RepoSettings settings,
      Clock clock,
      SignedMetadata<Root> stagedRoot,
      SignedMetadata<Targets> stagedTargets) {
    return new ImageRepository(
        directory, settings, clock, List.of(), null, null, null, stagedRoot, stagedTargets);
  }

  /** This view with the staged {@code role} replaced by {@code bytes}. */
  ImageRepository withStaged(RoleType role, byte[] bytes) {
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

  static Instant expiry(Clock clock, RepoSettings settings, RoleType role) {
    return clock.instant().plus(settings.lifetime(role)).truncatedTo(ChronoUnit.SECONDS);
  }

  static JsonParser parser() {
    return JsonParser.withDefaults();
  }
}
