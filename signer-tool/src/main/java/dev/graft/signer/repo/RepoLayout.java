package dev.graft.signer.repo;

import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.TargetFile;
import java.nio.file.Path;

/**
 * Where an image repository keeps its files. Published metadata lives in {@code metadata/} in the
 * standard TUF layout ({@code N.root.json}, {@code timestamp.json}, {@code N.snapshot.json}, {@code
 * N.targets.json}); bundles in {@code targets/} under consistent-snapshot names ({@code
 * SHA256.NAME}); offline roles waiting for signatures in {@code staged/}. Only {@code metadata/}
 * and {@code targets/} are meant to be served.
 */
public record RepoLayout(Path directory) {

  public Path settingsFile() {
    return directory.resolve(RepoSettings.FILE_NAME);
  }

  public Path metadataDirectory() {
    return directory.resolve("metadata");
  }

  public Path targetsDirectory() {
    return directory.resolve("targets");
  }

  /** A published metadata file, by its name in {@code metadata/}. */
  public Path metadataFile(String name) {
    return metadataDirectory().resolve(name);
  }

  /** Where the staged version of an offline role waits for signatures. */
  public Path stagedFile(RoleType role) {
    return directory.resolve("staged").resolve(role.fileName());
  }

  /** Where a target's bytes live: {@code targets/SHA256.NAME}. */
  public Path targetFile(TargetFile target) {
    return targetsDirectory().resolve(target.hashes().get("sha256") + "." + target.path());
  }
}
