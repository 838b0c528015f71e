package dev.graft.signer.repo;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.format.ChunkList;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.metadata.TargetFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Adding a release: a bundle becomes a target with its length, SHA-256 and SHA-512, and the custom
 * fields gateways check ({@code trust.md}): module, version, release counter, hardware, chunk list.
 */
public final class Releases {
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

  private Releases() {}

  /**
   * What {@link #add} staged.
   *
   * @param replaced whether the target replaced an entry of the same name (a re-release)
   * @param discardedSignatures signatures of the previously staged targets version that no longer
   *     cover the new one
   */
  public record Added(
      TargetFile target, long releaseCounter, boolean replaced, int discardedSignatures) {}

  /**
   * Reads {@code bundleBytes} strictly and stages a targets version that lists it.
   *
   * @param releaseCounter an explicit counter (a deliberate re-release of an old version); empty
   *     for the next one in the repository
   * @throws RepoException when the bundle is invalid, the release exists already, or the counter is
   *     not above the highest of any target in the repository
   */
  public static Added add(
      ImageRepository repository,
      byte[] bundleBytes,
      String bundleName,
      OptionalLong releaseCounter,
      List<String> hardware,
      int chunkSize) {
    Bundle bundle;
    try {
      bundle = BundleReader.withDefaults().read(bundleBytes);
    } catch (BundleFormatException | JsonFormatException e) {
      throw new RepoException(bundleName + " is not a valid Graft bundle: " + e.getMessage(), e);
    }
    for (String part : List.of(bundle.name(), bundle.version())) {
      if (!SAFE_NAME.matcher(part).matches()) {
        throw new RepoException(
            bundleName
                + ": manifest name and version must be letters, digits and . _ + - (found '"
                + part
                + "'), since they name the target file");
      }
    }
    if (hardware.isEmpty()) {
      throw new RepoException(
          "name the hardware this release is for with --hardware ID (repeatable); gateways"
              + " install only targets listing their hardware id");
    }
    String path = bundle.name() + "-" + bundle.version() + ".graft";
    String sha256 = RepoFiles.hex("SHA-256", bundleBytes);
    Map<String, TargetFile> current = repository.currentTargets();

    // One counter for the whole repository, not one per module: a gateway's floor is the counter
    // of whatever module it last committed, so per-module counters would compare unrelated
    // sequences (another module's old release could pass the floor, or a new one fall below it).
    long highest = 0;
    String highestTarget = "";
    for (TargetFile target : current.values()) {
      Optional<JsonObject> graft = graftFields(target);
      if (graft.isPresent()) {
        long counter = graft.get().integer("release_counter");
        if (counter > highest) {
          highest = counter;
          highestTarget = target.path();
        }
      }
    }
    TargetFile existing = current.get(path);
    if (existing != null) {
      if (!sha256.equals(existing.hashes().get("sha256"))) {
        throw new RepoException(
            path
                + " is already released with different content (sha256 "
                + existing.hashes().get("sha256")
                + "); a different build needs a new version number in its manifest");
      }
      if (releaseCounter.isEmpty()) {
        long counter = graftFields(existing).map(g -> g.integer("release_counter")).orElse(0L);
        throw new RepoException(
            path
                + " is already released with release counter "
                + counter
                + "; to re-release it (for example to roll gateways back to it), give"
                + " --release-counter "
                + (highest + 1));
      }
    }
    long counter;
    if (releaseCounter.isPresent()) {
      counter = releaseCounter.getAsLong();
      if (counter <= highest) {
        throw new RepoException(
            "release counter "
                + counter
                + " is not above "
                + highest
                + ", the highest in this repository ("
                + highestTarget
                + "); release counters increase over the whole repository, and gateways that"
                + " installed that release would refuse this one. Use "
                + (highest + 1)
                + " or more");
      }
    } else {
      counter = highest + 1;
    }

    ChunkList chunks = ChunkList.of(bundleBytes, chunkSize);
    List<JsonValue> hardwareJson = new ArrayList<>();
    hardware.forEach(h -> hardwareJson.add(new JsonString(h)));
    JsonObject custom =
        JsonObject.builder()
            .put(
                "graft",
                JsonObject.builder()
                    .put("module", bundle.name())
                    .put("version", bundle.version())
                    .put("release_counter", counter)
                    .put("hardware", new JsonArray(hardwareJson))
                    .put(
                        "chunks",
                        JsonObject.builder()
                            .put("size", chunks.size())
                            .put("list_sha256", chunks.listSha256())
                            .build())
                    .build())
            .build();
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put("sha256", sha256);
    hashes.put("sha512", RepoFiles.hex("SHA-512", bundleBytes));
    TargetFile target = TargetFile.of(path, bundleBytes.length, hashes, Optional.of(custom));
    Map<String, TargetFile> next = new LinkedHashMap<>(current);
    next.put(path, target);
    int discarded = new Staging(repository).stageTargets(next, Map.of(path, bundleBytes));
    return new Added(target, counter, existing != null, discarded);
  }

  /**
   * A release of the same module with a newer version than the one being added.
   *
   * @param version the version being added
   * @param target the newer release's target path
   * @param newerVersion its version
   * @param releaseCounter its release counter
   */
  public record Newer(String version, String target, String newerVersion, long releaseCounter) {
    /** "1.0.0 is older than 1.1.0, released as … with release counter 2". */
    public String describe() {
      return "version "
          + version
          + " is older than "
          + newerVersion
          + ", already released as "
          + target
          + " with release counter "
          + releaseCounter;
    }
  }

  /**
   * The newest release of the bundle's module whose version is above the bundle's, if any: adding
   * the bundle would be a version going backwards. Empty also when the bundle does not read, or its
   * version is released already (adding it reports why).
   */
  public static Optional<Newer> newerRelease(ImageRepository repository, byte[] bundleBytes) {
    Bundle bundle;
    try {
      bundle = BundleReader.withDefaults().read(bundleBytes);
    } catch (BundleFormatException | JsonFormatException e) {
      return Optional.empty();
    }
    if (repository
        .currentTargets()
        .containsKey(bundle.name() + "-" + bundle.version() + ".graft")) {
      // A re-release of an existing version; add() says what it needs.
      return Optional.empty();
    }
    @Nullable Newer newest = null;
    for (TargetFile target : repository.currentTargets().values()) {
      Optional<JsonObject> graft = graftFields(target);
      if (graft.isEmpty() || !graft.get().string("module").equals(bundle.name())) {
        continue;
      }
      String version = graft.get().string("version");
      if (compareVersions(version, bundle.version()) > 0
          && (newest == null || compareVersions(version, newest.newerVersion()) > 0)) {
        newest =
            new Newer(
                bundle.version(), target.path(), version, graft.get().integer("release_counter"));
      }
    }
    return Optional.ofNullable(newest);
  }

  /**
   * Orders versions as semantic versions do: dot-separated numeric parts numerically, other parts
   * as text, and a pre-release ({@code 1.0.0-rc1}) below its release; build metadata is ignored.
   */
  static int compareVersions(String a, String b) {
    String[] left = a.split("\\+", 2)[0].split("-", 2);
    String[] right = b.split("\\+", 2)[0].split("-", 2);
    int core = compareParts(left[0], right[0]);
    if (core != 0) {
      return core;
    }
    if (left.length != right.length) {
      return left.length < right.length ? 1 : -1;
    }
    return left.length == 1 ? 0 : compareParts(left[1], right[1]);
  }

  private static int compareParts(String a, String b) {
    String[] left = a.split("\\.");
    String[] right = b.split("\\.");
    for (int i = 0; i < Math.max(left.length, right.length); i++) {
      String l = i < left.length ? left[i] : "0";
      String r = i < right.length ? right[i] : "0";
      int order;
      if (l.matches("[0-9]{1,18}") && r.matches("[0-9]{1,18}")) {
        order = Long.compare(Long.parseLong(l), Long.parseLong(r));
      } else {
        order = l.compareTo(r);
      }
      if (order != 0) {
        return order;
      }
    }
    return 0;
  }

  /** A target's {@code custom.graft} object, when it has one. */
  public static Optional<JsonObject> graftFields(TargetFile target) {
    return target.custom().flatMap(c -> c.optionalObject("graft"));
  }
}
