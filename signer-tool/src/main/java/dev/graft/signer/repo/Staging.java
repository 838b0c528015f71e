package dev.graft.signer.repo;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signature;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The offline half of signing: staging new root and targets versions and collecting their
 * signatures one key holder at a time. Each signature is checked before it is kept; the one that
 * reaches the thresholds publishes (see {@link OnlineSigning}). Works on one opened view of the
 * repository; nothing is written when a check fails.
 */
public final class Staging {
  private final ImageRepository view;
  private final RepoLayout layout;
  private final RepoSettings settings;
  private final Clock clock;
  private final @Nullable SignedMetadata<Targets> targets;
  private final @Nullable SignedMetadata<Root> stagedRoot;
  private final @Nullable SignedMetadata<Targets> stagedTargets;

  public Staging(ImageRepository view) {
    this.view = view;
    this.layout = view.layout();
    this.settings = view.settings();
    this.clock = view.clock();
    this.targets = view.targets().orElse(null);
    this.stagedRoot = view.stagedRoot().orElse(null);
    this.stagedTargets = view.stagedTargets().orElse(null);
  }

  /**
   * Creates a new repository: writes its settings and stages root and targets version 1, signed by
   * every one of {@code signers} that is one of the role's keys, then publishes whatever reaches
   * its threshold.
   *
   * @throws RepoException when {@code directory} already holds a repository or is not empty
   */
  public static ImageRepository createRepository(
      Path directory,
      RepoSettings settings,
      Root root,
      List<Signer> signers,
      OnlineSigners online,
      Clock clock) {
    ImageRepository.requireFresh(directory, List.of("metadata", "targets", "staged"));
    Targets targets =
        new Targets(
            Signed.SPEC_VERSION,
            1,
            ImageRepository.expiry(clock, settings, RoleType.TARGETS),
            Map.of(),
            Optional.empty(),
            JsonObject.empty());
    SignedMetadata<Root> stagedRoot =
        SignedMetadata.sign(root, roleSigners(signers, root, RoleType.ROOT));
    SignedMetadata<Targets> stagedTargets =
        SignedMetadata.sign(targets, roleSigners(signers, root, RoleType.TARGETS));
    ImageRepository staged =
        ImageRepository.unpublished(directory, settings, clock, stagedRoot, stagedTargets);
    OnlineSigning.Publication publication = new OnlineSigning(staged, online).publication();
    RepoLayout layout = staged.layout();
    RepoFiles.writeAtomically(directory.resolve(RepoSettings.FILE_NAME), settings.toBytes());
    try {
      Files.createDirectories(layout.targetsDirectory());
      Files.createDirectories(layout.metadataDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RepoFiles.writeAtomically(layout.stagedFile(RoleType.ROOT), stagedRoot.toBytes());
    RepoFiles.writeAtomically(layout.stagedFile(RoleType.TARGETS), stagedTargets.toBytes());
    publication.write(layout);
    return ImageRepository.open(directory, clock);
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
            ImageRepository.expiry(clock, settings, RoleType.TARGETS),
            newTargets,
            Optional.empty(),
            JsonObject.empty());
    for (Map.Entry<String, byte[]> bundle : bundles.entrySet()) {
      TargetFile target = newTargets.get(bundle.getKey());
      if (target == null) {
        throw new IllegalArgumentException("bundle " + bundle.getKey() + " is not a target");
      }
      RepoFiles.writeAtomically(layout.targetFile(target), bundle.getValue());
    }
    int discarded = stagedTargets == null ? 0 : stagedTargets.signatures().size();
    RepoFiles.writeAtomically(
        layout.stagedFile(RoleType.TARGETS), SignedMetadata.of(next, List.of()).toBytes());
    return discarded;
  }

  /**
   * Stages a new root version made by {@code change} from the current one (the staged root when
   * there is one, else the published), with a fresh expiry.
   *
   * @return how many signatures the replaced staged version had
   */
  public int stageRoot(UnaryOperator<Root> change) {
    Root base = stagedRoot != null ? stagedRoot.signed() : view.effectiveRoot();
    long version = view.root().map(r -> r.signed().version() + 1).orElse(1L);
    Root changed = change.apply(base);
    Root next =
        new Root(
            Signed.SPEC_VERSION,
            version,
            ImageRepository.expiry(clock, settings, RoleType.ROOT),
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
        layout.stagedFile(RoleType.ROOT), SignedMetadata.of(next, List.of()).toBytes());
    return discarded;
  }

  /** The exact bytes a signature over the staged role covers. */
  public byte[] canonicalStaged(RoleType role) {
    return view.staged(role).orElseThrow(() -> nothingStaged(role)).canonicalSigned();
  }

  /**
   * Checks that {@code keyId} may sign the staged {@code role} and has not yet.
   *
   * @throws RepoException naming the key and the role's keys
   */
  public void requireSigningKey(RoleType role, String keyId) {
    Map<String, TufKey> keys = view.signingKeys(role);
    if (!keys.containsKey(keyId)) {
      throw new RepoException(
          "key "
              + keyId
              + " is not one of the keys of role "
              + role.typeName()
              + " (its keys: "
              + String.join(", ", keys.keySet())
              + "); sign with one of those, or add this key with `graft repo rotate-key "
              + view.directory()
              + " "
              + role.typeName()
              + " --add KEY`");
    }
    SignedMetadata<?> staged = view.staged(role).orElseThrow();
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
   * @throws RoleStateException when nothing is staged or the staged version has expired
   */
  public void requireUnexpired(RoleType role) {
    SignedMetadata<?> staged = view.staged(role).orElseThrow(() -> nothingStaged(role));
    if (staged.signed().isExpired(clock.instant())) {
      throw new RoleStateException(
          role.typeName()
              + " version "
              + staged.signed().version()
              + " as staged expired at "
              + staged.signed().expires()
              + "; gateways would refuse it once published",
          view.directory(),
          role,
          staged.signed().expires());
    }
  }

  private RoleStateException nothingStaged(RoleType role) {
    return new RoleStateException(
        role.typeName() + " has no staged version",
        view.directory(),
        role,
        RoleStateException.State.NOTHING_STAGED);
  }

  /**
   * Whether a signature by {@code keyId} would bring every threshold of the staged {@code role} to
   * its signature count, so that adding it publishes (and the online keys sign).
   */
  public boolean wouldPublish(RoleType role, String keyId) {
    for (Requirement requirement : view.requirements(role)) {
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
    SignedMetadata<?> staged = view.staged(role).orElseThrow();
    TufKey key = view.signingKeys(role).get(signature.keyId());
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
    ImageRepository next = view.withStaged(role, updated);
    OnlineSigning.Publication publication = new OnlineSigning(next, online).publication();
    RepoFiles.writeAtomically(layout.stagedFile(role), updated);
    publication.write(layout);
    return publication.published();
  }
}
