package dev.graft.signer.cli;

import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.pkcs11.SecretSource;
import dev.graft.signer.KeySource;
import dev.graft.signer.repo.OnlineSigners;
import dev.graft.signer.repo.RepoException;
import dev.graft.signer.repo.RepoSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The online snapshot and timestamp keys that a repository's settings name, loaded through a {@link
 * KeySource}: relative key file paths are relative to the repository directory.
 */
final class OnlineKeys implements OnlineSigners {
  /** The environment variable an unattended run (a timer) reads online key passphrases from. */
  static final String PASSPHRASE_VARIABLE = "GRAFT_ONLINE_PASSPHRASE";

  private final Path directory;
  private final RepoSettings settings;
  private final KeySource keys;
  private final SecretSource passphrase;
  private final Map<String, Signer> loaded = new HashMap<>();

  OnlineKeys(Path directory, RepoSettings settings, KeySource keys, SecretSource passphrase) {
    this.directory = directory;
    this.settings = settings;
    this.keys = keys;
    this.passphrase = passphrase;
  }

  @Override
  public List<Signer> signers(RoleType role, List<String> keyIds) {
    List<Signer> signers = new ArrayList<>();
    List<String> references = settings.onlineKeys(role);
    if (references.isEmpty()) {
      throw new RepoException(
          RepoSettings.FILE_NAME
              + " in "
              + directory
              + " names no online "
              + role.typeName()
              + " key; add one with `graft repo rotate-key "
              + directory
              + " "
              + role.typeName()
              + " --add KEY`");
    }
    for (String reference : references) {
      Signer signer = signer(reference);
      if (keyIds.contains(signer.keyId())) {
        signers.add(signer);
      }
    }
    return signers;
  }

  /**
   * Loads every online key now (reading its passphrase or PIN), so that a wrong or empty passphrase
   * is reported before anything is asked or changed; later calls reuse the keys.
   */
  void load() {
    for (RoleType role : List.of(RoleType.SNAPSHOT, RoleType.TIMESTAMP)) {
      for (String reference : settings.onlineKeys(role)) {
        signer(reference);
      }
    }
  }

  private Signer signer(String reference) {
    Signer found = loaded.get(reference);
    if (found == null) {
      found = keys.signer(resolve(directory, reference), passphrase);
      loaded.put(reference, found);
    }
    return found;
  }

  /** A key file path relative to the repository becomes usable from any working directory. */
  static String resolve(Path directory, String reference) {
    if (reference.regionMatches(true, 0, "pkcs11:", 0, 7) || Path.of(reference).isAbsolute()) {
      return reference;
    }
    return directory.resolve(reference).toString();
  }

  /** {@code env:GRAFT_ONLINE_PASSPHRASE} when that is set, else a prompt. */
  static SecretSource defaultPassphrase(Map<String, String> environment) {
    return environment.containsKey(PASSPHRASE_VARIABLE)
        ? new SecretSource.FromEnvironment(PASSPHRASE_VARIABLE)
        : new SecretSource.FromPrompt();
  }
}
