package dev.graft.signer.repo;

import static dev.graft.signer.repo.MetadataChecks.meets;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.Snapshot;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.metadata.Timestamp;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Publishing with the online keys: what becomes publishable when offline roles reach their
 * thresholds, signed together with new snapshot and timestamp versions, and the timestamp refresh a
 * timer runs. Works on one opened view of the repository and writes nothing until told to.
 */
public final class OnlineSigning {
  private final ImageRepository view;
  private final OnlineSigners online;
  private final Path directory;
  private final RepoSettings settings;
  private final Clock clock;
  private final @Nullable SignedMetadata<Targets> targets;
  private final @Nullable SignedMetadata<Snapshot> snapshot;
  private final @Nullable SignedMetadata<Timestamp> timestamp;
  private final @Nullable SignedMetadata<Root> stagedRoot;
  private final @Nullable SignedMetadata<Targets> stagedTargets;

  public OnlineSigning(ImageRepository view, OnlineSigners online) {
    this.view = view;
    this.online = online;
    this.directory = view.directory();
    this.settings = view.settings();
    this.clock = view.clock();
    this.targets = view.targets().orElse(null);
    this.snapshot = view.snapshot().orElse(null);
    this.timestamp = view.timestamp().orElse(null);
    this.stagedRoot = view.stagedRoot().orElse(null);
    this.stagedTargets = view.stagedTargets().orElse(null);
  }

  private Root latestRoot() {
    return view.root().orElseThrow().signed();
  }

  /**
   * Re-signs the timestamp with the online key, with a fresh expiry; also the snapshot when it
   * would expire before the refresh after next is due (so a daily timer keeps both alive). Safe to
   * run at any time: it changes nothing but online versions and expiries.
   *
   * @return the files written
   */
  public List<String> refreshTimestamp() {
    if (targets == null || snapshot == null || timestamp == null) {
      throw new RoleStateException(
          directory + " has no published targets yet, so there is no timestamp to refresh",
          directory,
          RoleType.TARGETS,
          RoleStateException.State.NOTHING_PUBLISHED);
    }
    Instant nextRefreshDue = ImageRepository.expiry(clock, settings, RoleType.TIMESTAMP);
    boolean snapshotToo =
        snapshot
            .signed()
            .expires()
            .isBefore(nextRefreshDue.plus(settings.lifetime(RoleType.TIMESTAMP)));
    Publication publication =
        new Publication(List.of(), targets, snapshotToo ? null : snapshot, List.of());
    publication = onlineVersions(publication, latestRoot(), targets, snapshotToo);
    publication.write(view.layout());
    return publication.published();
  }

  /**
   * Files to write, in order: new root versions, then targets, snapshot, and timestamp last (a
   * client reading the repository meanwhile sees the old timestamp, hence the old consistent set).
   */
  record Publication(
      List<Map.Entry<String, byte[]>> files,
      @Nullable SignedMetadata<Targets> targets,
      @Nullable SignedMetadata<Snapshot> snapshot,
      List<RoleType> clearStaged) {
    void write(RepoLayout layout) {
      for (Map.Entry<String, byte[]> file : files) {
        RepoFiles.writeAtomically(layout.metadataFile(file.getKey()), file.getValue());
      }
      for (RoleType role : clearStaged) {
        RepoFiles.delete(layout.stagedFile(role));
      }
    }

    List<String> published() {
      List<String> names = new ArrayList<>();
      files.forEach(f -> names.add("metadata/" + f.getKey()));
      return names;
    }
  }

  /** What becomes publishable with the staged state as it is; signs online roles as needed. */
  Publication publication() {
    List<Map.Entry<String, byte[]>> files = new ArrayList<>();
    List<RoleType> clear = new ArrayList<>();
    Root root = view.root().map(SignedMetadata::signed).orElse(null);
    boolean rootPublished = false;
    if (stagedRoot != null
        && view.requirements(RoleType.ROOT).stream().allMatch(Requirement::met)) {
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
      publication = onlineVersions(publication, root, publishedTargets, true);
    }
    return publication;
  }

  private Publication onlineVersions(
      Publication publication,
      Root root,
      SignedMetadata<Targets> currentTargets,
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
              ImageRepository.expiry(clock, settings, RoleType.SNAPSHOT),
              Map.of("targets.json", MetaFile.of(currentTargets.signed().version())),
              JsonObject.empty());
      snapshotBytes = sign(next, root);
      files.add(Map.entry(snapshotVersion + ".snapshot.json", snapshotBytes));
    } else {
      snapshotVersion = currentSnapshot.signed().version();
      snapshotBytes =
          RepoFiles.read(
              view.layout().metadataFile(snapshotVersion + ".snapshot.json"),
              ImageRepository.MAX_METADATA_BYTES);
    }
    long timestampVersion = timestamp == null ? 1 : timestamp.signed().version() + 1;
    Timestamp next =
        new Timestamp(
            Signed.SPEC_VERSION,
            timestampVersion,
            ImageRepository.expiry(clock, settings, RoleType.TIMESTAMP),
            new MetaFile(
                snapshotVersion,
                OptionalLong.of(snapshotBytes.length),
                Map.of("sha256", RepoFiles.hex("SHA-256", snapshotBytes)),
                JsonObject.empty()),
            JsonObject.empty());
    files.add(Map.entry("timestamp.json", sign(next, root)));
    return new Publication(files, currentTargets, currentSnapshot, publication.clearStaged());
  }

  /** Signs an online role's metadata with as many of its keys as its threshold needs. */
  private byte[] sign(Signed signed, Root root) {
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
}
