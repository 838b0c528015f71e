package dev.graft.signer.repo;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.format.ChunkList;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.Repository;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.transport.PublishSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What {@code graft publish} may put on a broker: the published metadata of an image repository and
 * its target files, read once, checked and then verified as a gateway would verify them. The bytes
 * in the plan are exactly the bytes that were checked, so a file changed on disk while a publish
 * runs cannot slip through.
 *
 * <p>Refuses (with the fix) a repository that has nothing published, any published role that has
 * expired, a target file that does not match its signed hashes, and a target without the chunk list
 * MQTT delivery needs. Staged versions still collecting signatures are never published; they are
 * reported in {@link #pending()}.
 *
 * @param set the metadata files and target files, ready for the transport's publisher
 * @param targets the published targets, in targets-metadata order
 * @param rootVersions every root version, oldest first
 * @param pending staged versions that are not published, each with what it still needs
 */
public record PublishPlan(
    PublishSet set,
    List<PlannedTarget> targets,
    List<Long> rootVersions,
    long targetsVersion,
    long snapshotVersion,
    long timestampVersion,
    List<String> pending) {

  public PublishPlan {
    targets = List.copyOf(targets);
    rootVersions = List.copyOf(rootVersions);
    pending = List.copyOf(pending);
  }

  /** One target as published: its path, SHA-256 (the topic level), length and chunk count. */
  public record PlannedTarget(String path, String sha256, long length, int chunks) {}

  /** The SHA-256 of every published target: what {@code --prune} keeps. */
  public Set<String> keepSha256() {
    Set<String> keep = new LinkedHashSet<>();
    targets.forEach(t -> keep.add(t.sha256()));
    return keep;
  }

  /**
   * Reads and checks what {@code repository} has published. Call it while holding the repository's
   * {@link RepoLock}, so no command changes the files while they are read.
   *
   * @throws RepoException naming what is not publishable and the command that fixes it
   */
  public static PublishPlan prepare(ImageRepository repository, Clock clock) {
    List<String> pending = pending(repository);
    SignedMetadata<Root> root =
        repository.root().orElseThrow(() -> nothingPublished(repository, pending));
    var timestamp = repository.timestamp().orElseThrow(() -> nothingPublished(repository, pending));
    var snapshot = repository.snapshot().orElseThrow(() -> nothingPublished(repository, pending));
    var targets = repository.targets().orElseThrow(() -> nothingPublished(repository, pending));
    requireUnexpired(
        repository,
        clock.instant(),
        root.signed(),
        targets.signed(),
        snapshot.signed(),
        timestamp.signed());

    List<PublishSet.MetadataFile> metadata = new ArrayList<>();
    Map<String, byte[]> files = new HashMap<>();
    List<Long> rootVersions = new ArrayList<>();
    for (long version = 1; version <= root.signed().version(); version++) {
      String name = version + ".root.json";
      byte[] bytes = readMetadata(repository, name);
      files.put(name, bytes);
      metadata.add(new PublishSet.MetadataFile("root", OptionalLong.of(version), bytes));
      rootVersions.add(version);
    }
    long snapshotVersion = snapshot.signed().version();
    long targetsVersion = targets.signed().version();
    Map<String, PublishSet.MetadataFile> online = new LinkedHashMap<>();
    online.put(
        targetsVersion + ".targets.json",
        new PublishSet.MetadataFile(
            "targets",
            OptionalLong.of(targetsVersion),
            readMetadata(repository, targetsVersion + ".targets.json")));
    online.put(
        snapshotVersion + ".snapshot.json",
        new PublishSet.MetadataFile(
            "snapshot",
            OptionalLong.of(snapshotVersion),
            readMetadata(repository, snapshotVersion + ".snapshot.json")));
    online.put(
        "timestamp.json",
        new PublishSet.MetadataFile(
            "timestamp", OptionalLong.empty(), readMetadata(repository, "timestamp.json")));
    for (Map.Entry<String, PublishSet.MetadataFile> file : online.entrySet()) {
      files.put(file.getKey(), file.getValue().bytes());
      metadata.add(file.getValue());
    }

    List<PublishSet.TargetBlob> blobs = new ArrayList<>();
    List<PlannedTarget> planned = new ArrayList<>();
    Map<String, byte[]> targetBytes = new HashMap<>();
    for (TargetFile target : targets.signed().targets().values()) {
      byte[] bytes = repository.verifiedTargetBytes(target);
      int chunkSize = chunkSize(target, bytes);
      // The blob's own hash: the topic level, and the file verified against the signed sha256.
      String sha256 = new PublishSet.TargetBlob(bytes, chunkSize).sha256();
      blobs.add(new PublishSet.TargetBlob(bytes, chunkSize));
      planned.add(
          new PlannedTarget(
              target.path(), sha256, bytes.length, ChunkList.of(bytes, chunkSize).chunkCount()));
      targetBytes.put(sha256 + "." + target.path(), bytes);
      targetBytes.put(target.path(), bytes);
    }

    verifyAsGateway(repository, clock, files, targetBytes, targets.signed().targets().values());
    return new PublishPlan(
        new PublishSet(metadata, blobs),
        planned,
        rootVersions,
        targetsVersion,
        snapshotVersion,
        timestamp.signed().version(),
        pending);
  }

  private static byte[] readMetadata(ImageRepository repository, String name) {
    return RepoFiles.read(
        repository.layout().metadataFile(name), ImageRepository.MAX_METADATA_BYTES);
  }

  /** The signed chunk size, checked against the signed chunk list hash. */
  private static int chunkSize(TargetFile target, byte[] bytes) {
    JsonObject chunks;
    long size;
    String listSha256;
    try {
      chunks =
          Releases.graftFields(target)
              .orElseThrow(() -> new JsonFormatException("no custom.graft"))
              .object("chunks");
      size = chunks.integer("size");
      listSha256 = chunks.string("list_sha256");
    } catch (JsonFormatException e) {
      throw new RepoException(
          "target "
              + target.path()
              + " has no usable custom.graft.chunks ("
              + e.getMessage()
              + "), so gateways cannot fetch it over MQTT; add it again with `graft release"
              + " add`");
    }
    ChunkList list;
    try {
      list = ChunkList.of(bytes, Math.toIntExact(size));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new RepoException(
          "target " + target.path() + " names chunk size " + size + ": " + e.getMessage());
    }
    if (!MessageDigest.isEqual(
        list.listSha256().getBytes(StandardCharsets.US_ASCII),
        listSha256.getBytes(StandardCharsets.US_ASCII))) {
      throw new RepoException(
          "target "
              + target.path()
              + ": the chunk list of its file does not match the signed list_sha256; the"
              + " targets metadata and the file disagree, do not publish until they match");
    }
    return list.size();
  }

  private static List<String> pending(ImageRepository repository) {
    List<String> pending = new ArrayList<>();
    for (RoleType role : List.of(RoleType.ROOT, RoleType.TARGETS)) {
      Optional<SignedMetadata<?>> staged = repository.staged(role);
      if (staged.isEmpty()) {
        continue;
      }
      long version = staged.get().signed().version();
      for (Requirement requirement : repository.requirements(role)) {
        if (!requirement.met()) {
          pending.add(
              "staged "
                  + role.typeName()
                  + " version "
                  + version
                  + " has "
                  + requirement.signed().size()
                  + " of "
                  + requirement.threshold()
                  + " required signatures"
                  + (repository.requirements(role).size() > 1
                      ? " (keys of " + requirement.source() + ")"
                      : "")
                  + "; run `graft sign "
                  + repository.directory()
                  + " "
                  + role.typeName()
                  + " --key …` with one of: "
                  + String.join(", ", requirement.missing()));
        }
      }
      if (role == RoleType.ROOT
          && repository.requirements(role).stream().allMatch(Requirement::met)) {
        pending.add(
            "staged root version "
                + version
                + " has its signatures and waits for targets that meet its targets threshold:"
                + " sign the staged targets (`graft sign "
                + repository.directory()
                + " targets --key …`)");
      }
    }
    return pending;
  }

  private static RepoException nothingPublished(ImageRepository repository, List<String> pending) {
    if (!pending.isEmpty()) {
      return new RepoException(
          "nothing to publish: "
              + repository.directory()
              + " has no complete, signed version yet; "
              + String.join("; ", pending));
    }
    return new RoleStateException(
        "nothing to publish: " + repository.directory() + " has no published targets yet",
        repository.directory(),
        RoleType.TARGETS,
        RoleStateException.State.NOTHING_PUBLISHED);
  }

  private static void requireUnexpired(
      ImageRepository repository,
      Instant now,
      Root root,
      Signed targets,
      Signed snapshot,
      Signed timestamp) {
    String directory = repository.directory().toString();
    List<String> expired = new ArrayList<>();
    for (Signed signed : List.of(root, targets, snapshot, timestamp)) {
      if (!signed.isExpired(now)) {
        continue;
      }
      String fix =
          switch (signed.roleType()) {
            case ROOT ->
                "renew it with `graft repo rotate-root " + directory + "` and `graft sign`";
            case TARGETS ->
                "stage a renewed version with the same targets (`graft repo renew "
                    + directory
                    + " targets`) and have it signed";
            case SNAPSHOT, TIMESTAMP -> "run `graft repo refresh-timestamp " + directory + "`";
          };
      expired.add(
          signed.roleType().typeName()
              + " version "
              + signed.version()
              + " expired at "
              + signed.expires()
              + "; "
              + fix);
    }
    if (!expired.isEmpty()) {
      throw new RepoException(
          "refusing to publish expired metadata, which every gateway would reject: "
              + String.join("; ", expired)
              + "; then publish again");
    }
  }

  /**
   * Runs the trust core's client over exactly the bytes to be published, starting from root version
   * 1 as a new gateway does: the root chain, thresholds, versions, hashes, expiry and every target
   * file. Hybrid signatures are required unless the repository is classical.
   */
  private static void verifyAsGateway(
      ImageRepository repository,
      Clock clock,
      Map<String, byte[]> metadata,
      Map<String, byte[]> targetBytes,
      Iterable<TargetFile> targets) {
    boolean hybrid = !repository.settings().classical();
    Repository planned =
        new Repository() {
          @Override
          public Optional<byte[]> fetchMetadata(
              String roleName, OptionalLong version, long maxLength) {
            String name =
                (version.isPresent() ? version.getAsLong() + "." : "") + roleName + ".json";
            return Optional.ofNullable(metadata.get(name)).map(byte[]::clone);
          }

          @Override
          public byte[] fetchTarget(String path, long maxLength) {
            byte[] bytes = targetBytes.get(path);
            if (bytes == null) {
              throw new RepositoryException("target " + path + " is not in the publish set");
            }
            return bytes.clone();
          }
        };
    try {
      InMemoryTrustedStore store = new InMemoryTrustedStore();
      TufClient.initialize(
          store, java.util.Objects.requireNonNull(metadata.get("1.root.json")), hybrid);
      TufClient client =
          TufClient.builder()
              .repository(planned)
              .store(store)
              .clock(clock)
              .requireHybrid(hybrid)
              .build();
      client.refresh();
      for (TargetFile target : targets) {
        client.downloadTarget(client.requireTarget(target.path()));
      }
    } catch (TrustException e) {
      throw new RepoException(
          "the repository does not verify as a gateway would check it: "
              + e.getMessage()
              + "; nothing was published. Run `graft status "
              + repository.directory()
              + "` and fix what it names");
    }
  }
}
