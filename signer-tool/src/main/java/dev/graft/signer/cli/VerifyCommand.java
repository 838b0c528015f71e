package dev.graft.signer.cli;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.ExpiredMetadataException;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.ReleaseMismatchException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.director.ReleaseInfo;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.repo.ImageRepository;
import dev.graft.signer.repo.MetadataChecks;
import dev.graft.signer.repo.PublishedFiles;
import dev.graft.signer.repo.RepoException;
import dev.graft.signer.repo.RepoLayout;
import dev.graft.signer.repo.RepoSettings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code graft verify DIR [--bundle FILE]}: checks a repository directory the way a gateway checks
 * what it downloads, through the trust core's {@link TufClient} with {@code metadata/1.root.json}
 * as the trust anchor, and reports each check.
 */
@Command(
    name = "verify",
    header = "Checks a repository (and a bundle) as a gateway would.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the trust core's TUF client over DIR/metadata and DIR/targets with"
          + " DIR/metadata/1.root.json as the trust anchor, as a gateway does with the same"
          + " files fetched over MQTT or HTTP: the root chain (each root signed by the threshold"
          + " of its predecessor and its own), timestamp, snapshot and targets (signatures against"
          + " thresholds, versions, lengths and hashes each names of the next, expiry), then"
          + " every target file against its signed length and hashes.",
      "With --bundle, also that FILE is one of the signed targets: same length, SHA-256 and"
          + " SHA-512, and the module and version its manifest names are the ones signed.",
      "Where DIR is a graft repository (it has graft-repository.json), the staged versions"
          + " and their signatures are checked too.",
      "",
      "A hybrid repository (composite root and targets keys in 1.root.json) is held to the"
          + " hybrid rule: every root and targets key must be composite.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft verify repo/",
      "  graft verify repo/ --bundle boiler-control-1.1.0.graft",
      "  graft verify /srv/www/graft --json | jq '.checks[] | select(.ok | not)'",
      "",
      "Exit codes: 0 every check passed, 1 a check failed (the message names the file and"
          + " what to do), 2 usage error."
    })
public final class VerifyCommand implements Runnable {
  private static final int MAX_METADATA_BYTES = 16 * 1024 * 1024;

  /** The client's stages, in the order it runs them; each is one reported check. */
  private static final List<String> STAGES =
      List.of("root chain", "timestamp", "snapshot", "targets");

  private final CliContext context;

  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description = "The repository directory (holding metadata/ and targets/).")
  private Path directory = Path.of(".");

  @Option(
      names = "--bundle",
      paramLabel = "FILE",
      description = "A bundle that must be one of the repository's signed targets.")
  private @Nullable Path bundle;

  @Option(names = "--json", description = "Machine-readable output.")
  private boolean json;

  private final List<JsonValue> checks = new ArrayList<>();

  VerifyCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    Path metadata = new RepoLayout(directory).metadataDirectory();
    if (!Files.isDirectory(metadata)) {
      throw new CliException(
          directory
              + " has no metadata/ directory; give the repository directory, the one holding"
              + " metadata/ and targets/");
    }
    Path anchor = metadata.resolve("1.root.json");
    if (!Files.exists(anchor)) {
      throw new CliException(
          anchor
              + " does not exist: no root is published yet, so there is nothing to verify;"
              + " `graft status "
              + directory
              + "` shows which signatures are still missing");
    }
    byte[] anchorBytes = InputFile.read(anchor, MAX_METADATA_BYTES, "root metadata");
    InMemoryTrustedStore store = new InMemoryTrustedStore();
    boolean hybrid = false;
    try {
      hybrid = hybrid(SignedMetadata.parseRoot(anchorBytes, JsonParser.withDefaults()).signed());
      TufClient.initialize(store, anchorBytes, hybrid);
    } catch (TrustException e) {
      fail("trust anchor", tampered(anchor, String.valueOf(e.getMessage())));
    }
    pass(
        "trust anchor",
        anchor
            + " signs itself"
            + (hybrid ? "; hybrid: composite root and targets keys required" : "; classical keys"));

    PublishedFiles files = new PublishedFiles(directory);
    TufClient client =
        TufClient.builder()
            .repository(files)
            .store(store)
            .clock(context.clock())
            .requireHybrid(hybrid)
            .build();
    try {
      client.refresh();
    } catch (TrustException e) {
      Path at = files.lastMetadata().orElse(anchor);
      // A file the repository lacks (timestamp.json, or the snapshot it names) is the next
      // stage's failure, not that of the last file read.
      String failed =
          e instanceof dev.graft.bundle.RepositoryException
              ? STAGES.get(Math.min(STAGES.size() - 1, STAGES.indexOf(checkName(at)) + 1))
              : checkName(at);
      // Report what the client had already trusted before the refusal, then the refusal.
      passTrusted(client, STAGES.indexOf(failed));
      fail(failed, refusal(at, e));
    }
    passTrusted(client, STAGES.size());
    Targets targets = client.topLevelTargets();
    Root root = client.root();
    pass(
        "targets",
        "version "
            + targets.version()
            + " as snapshot names it, "
            + threshold(root, RoleType.TARGETS)
            + ", "
            + targets.targets().size()
            + " target(s); expires "
            + targets.expires());

    for (TargetFile target : targets.targets().values()) {
      Path file = files.targetFile(client.repositoryPath(target));
      try {
        client.downloadTarget(target);
      } catch (TrustException e) {
        fail(
            "target files",
            e instanceof dev.graft.bundle.RepositoryException && !Files.exists(file)
                ? "target "
                    + target.path()
                    + " is missing: "
                    + file
                    + " does not exist; restore it from your release archive or the published"
                    + " copy"
                : tampered(
                    file,
                    "it does not match target " + target.path() + " (" + e.getMessage() + ")"));
      }
    }
    pass(
        "target files",
        targets.targets().size()
            + " of "
            + targets.targets().size()
            + " match their signed length and hashes");
    checkReleaseCounters(targets);

    if (bundle != null) {
      checkBundle(bundle, targets);
    }
    if (Files.exists(directory.resolve(RepoSettings.FILE_NAME))) {
      try {
        ImageRepository repository = ImageRepository.open(directory, context.clock());
        List<String> staged = new ArrayList<>();
        for (RoleType role : List.of(RoleType.ROOT, RoleType.TARGETS)) {
          repository
              .staged(role)
              .ifPresent(s -> staged.add(role.typeName() + " version " + s.signed().version()));
        }
        pass(
            "staged",
            staged.isEmpty()
                ? "nothing staged"
                : String.join(", ", staged) + " staged; every signature on it verifies");
      } catch (RepoException e) {
        fail("staged", NextSteps.message(e));
      }
    }
    print(true);
  }

  /** Reports the stages before {@code before} (in {@link #STAGES}) that the client trusted. */
  private void passTrusted(TufClient client, int before) {
    Root root = client.root();
    if (before > 0) {
      pass(
          "root chain",
          (root.version() == 1
                  ? "version 1, no rotations"
                  : "versions 1–"
                      + root.version()
                      + ", each signed by its predecessor's and its own root threshold")
              + "; expires "
              + root.expires());
    }
    if (before > 1 && client.timestamp().isPresent()) {
      var timestamp = client.timestamp().get();
      pass(
          "timestamp",
          "version "
              + timestamp.version()
              + ", "
              + threshold(root, RoleType.TIMESTAMP)
              + "; expires "
              + timestamp.expires());
    }
    if (before > 2 && client.snapshot().isPresent()) {
      var snapshot = client.snapshot().get();
      pass(
          "snapshot",
          "version "
              + snapshot.version()
              + " as timestamp names it, "
              + threshold(root, RoleType.SNAPSHOT)
              + "; expires "
              + snapshot.expires());
    }
  }

  /**
   * Release counters increase over the whole repository, not per module: a gateway's floor is the
   * counter of whatever module it committed last. Two targets with one counter (as per-module
   * counters produced) cannot both be ordered against that floor.
   */
  private void checkReleaseCounters(Targets targets) {
    Map<Long, String> byCounter = new TreeMap<>();
    for (TargetFile target : targets.targets().values()) {
      OptionalLong counter =
          target
              .custom()
              .flatMap(c -> c.optionalObject("graft"))
              .map(g -> g.optionalInteger("release_counter"))
              .orElse(OptionalLong.empty());
      if (counter.isEmpty()) {
        continue;
      }
      String other = byCounter.putIfAbsent(counter.getAsLong(), target.path());
      if (other != null) {
        long next = Collections.max(byCounter.keySet()) + 1;
        fail(
            "release counters",
            other
                + " and "
                + target.path()
                + " share release counter "
                + counter.getAsLong()
                + "; counters must increase over the whole repository, since a gateway's floor"
                + " is compared across modules. Re-release one of them with graft release add"
                + " --release-counter "
                + next);
      }
    }
    pass(
        "release counters",
        byCounter.isEmpty()
            ? "no releases"
            : byCounter.size()
                + " release(s), each with its own counter; highest "
                + Collections.max(byCounter.keySet()));
  }

  private void checkBundle(Path file, Targets targets) {
    byte[] bytes = InputFile.read(file, BundleReader.withDefaults().maxBundleBytes(), "bundle");
    String sha256 = InputFile.sha256(bytes);
    Optional<TargetFile> match =
        targets.targets().values().stream()
            .filter(t -> sha256.equals(t.hashes().get("sha256")))
            .findFirst();
    if (match.isEmpty()) {
      fail("bundle", notATarget(file, bytes, sha256, targets));
    }
    TargetFile target = match.orElseThrow();
    try {
      TufClient.verifyTarget(target, bytes);
    } catch (TrustException e) {
      fail(
          "bundle",
          file
              + " does not match target "
              + target.path()
              + ": "
              + e.getMessage()
              + "; it is not the released file, use the one in the repository's targets/");
    }
    Bundle read;
    try {
      read = BundleReader.withDefaults().read(bytes);
    } catch (BundleFormatException e) {
      fail("bundle", file + " is a signed target but not a valid bundle: " + e.getMessage());
      return;
    }
    Optional<JsonObject> fields = target.custom().flatMap(c -> c.optionalObject("graft"));
    try {
      // The gateway's own rule, so verify refuses exactly what a gateway would.
      ReleaseInfo.fromTarget(target).requireDescribes(read, target.path());
    } catch (JsonFormatException | ReleaseMismatchException e) {
      fail(
          "bundle",
          file
              + ": "
              + e.getMessage()
              + "; gateways refuse the mismatch. Re-add the bundle with graft release add");
    }
    pass(
        "bundle",
        file
            + " is target "
            + target.path()
            + " ("
            + read.name()
            + " "
            + read.version()
            + fields
                .flatMap(f -> f.optionalInteger("release_counter").stream().boxed().findFirst())
                .map(c -> ", release counter " + c)
                .orElse("")
            + "): length, sha256 and sha512 match");
  }

  private static String notATarget(Path file, byte[] bytes, String sha256, Targets targets) {
    String named = "";
    try {
      Bundle read = BundleReader.withDefaults().read(bytes);
      named = read.name() + "-" + read.version() + ".graft";
    } catch (BundleFormatException e) {
      // Not even a bundle: the message below says it is not a target, which is true either way.
    }
    TargetFile sameName = targets.targets().get(named);
    if (sameName != null) {
      return file
          + " is not the released "
          + named
          + ": it is "
          + bytes.length
          + " bytes with sha256 "
          + sha256
          + ", the signed target is "
          + sameName.length()
          + " bytes with sha256 "
          + sameName.hashes().get("sha256")
          + ". It is a different build or was changed after release; use the file from the"
          + " repository's targets/ or rebuild it from the released sources";
    }
    return file
        + " (sha256 "
        + sha256
        + ") is not a target of this repository: the signed targets list no file with that hash"
        + (targets.targets().isEmpty()
            ? " (they list none)"
            : " (they list " + String.join(", ", targets.targets().keySet()) + ")")
        + "; add it with graft release add and sign it";
  }

  /** Whether the trust anchor makes this a hybrid repository: composite root and targets keys. */
  private static boolean hybrid(Root root) {
    for (RoleType role : List.of(RoleType.ROOT, RoleType.TARGETS)) {
      for (String id : root.role(role).keyIds()) {
        TufKey key = root.keys().get(id);
        if (key == null || !key.type().map(KeyType::isComposite).orElse(false)) {
          return false;
        }
      }
    }
    return true;
  }

  private static String threshold(Root root, RoleType type) {
    Role role = root.role(type);
    return "signed by "
        + role.threshold()
        + " of its "
        + role.keyIds().size()
        + " key(s) as required";
  }

  private static String checkName(Path file) {
    String name = String.valueOf(file.getFileName());
    if (name.endsWith(".root.json")) {
      return "root chain";
    }
    if (name.equals("timestamp.json")) {
      return "timestamp";
    }
    if (name.endsWith(".snapshot.json")) {
      return "snapshot";
    }
    return "targets";
  }

  /** The documented messages: expired metadata names the renewal, anything else is tampering. */
  private String refusal(Path file, TrustException e) {
    if (e instanceof ExpiredMetadataException) {
      String role = checkName(file);
      String renew =
          switch (role) {
            case "root chain" ->
                "run graft repo rotate-root " + directory + " and collect root signatures";
            case "targets" ->
                "run graft repo renew " + directory + " targets and collect targets signatures";
            default -> "run graft repo refresh-timestamp " + directory;
          };
      return file + " has expired: " + e.getMessage() + ". Gateways refuse it; " + renew;
    }
    if (e instanceof dev.graft.bundle.RepositoryException) {
      return directory
          + " lacks a metadata file: "
          + e.getMessage()
          + "; restore it from a backup or the published copy (a repository publishes"
          + " timestamp, snapshot and targets together when a signature reaches the targets"
          + " threshold)";
    }
    return tampered(file, String.valueOf(e.getMessage()));
  }

  /** The documented refusal for a file that fails a check (docs/cli.md, "does not verify"). */
  private static String tampered(Path file, String why) {
    return String.valueOf(MetadataChecks.tampered(file, why).getMessage());
  }

  private void pass(String name, String detail) {
    checks.add(
        JsonObject.builder().put("check", name).put("ok", true).put("detail", detail).build());
  }

  /** Records the failed check, prints what was checked, and refuses with {@code message}. */
  private void fail(String name, String message) {
    checks.add(
        JsonObject.builder().put("check", name).put("ok", false).put("detail", message).build());
    print(false);
    throw new CliException(message);
  }

  private void print(boolean verified) {
    PrintWriter out = context.terminal().out();
    if (json) {
      JsonObject report =
          JsonObject.builder()
              .put("repository", directory.toString())
              .put("verified", verified)
              .put("checked_at", Instant.now(context.clock()).toString())
              .put("checks", new JsonArray(checks))
              .build();
      out.println(new String(PrettyJson.encode(report), StandardCharsets.UTF_8));
    } else {
      out.println(
          "Verifying " + directory + " against " + directory.resolve("metadata/1.root.json"));
      for (JsonValue value : checks) {
        JsonObject check = (JsonObject) value;
        boolean ok = check.bool("ok");
        out.println(
            String.format(
                "  %-4s  %-13s %s",
                ok ? "ok" : "FAIL",
                check.string("check"),
                ok ? check.string("detail") : "(see the message below)"));
      }
      out.println(verified ? "Verified: every check passed." : "NOT verified.");
    }
    out.flush();
  }
}
