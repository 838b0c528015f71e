package dev.graft.signer.repo;

import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import java.util.List;

/**
 * The online snapshot and timestamp keys, loaded only when something is about to be published (so a
 * signer who does not complete a threshold is never asked for their passphrase).
 */
@FunctionalInterface
public interface OnlineSigners {
  /**
   * Signers for {@code role}, among those the repository settings name; the repository uses those
   * whose key ids root lists in {@code keyIds}.
   */
  List<Signer> signers(RoleType role, List<String> keyIds);

  /** For operations that must not publish: asking for an online key is a failure. */
  static OnlineSigners unavailable(String why) {
    return (role, keyIds) -> {
      throw new RepoException("cannot sign " + role.typeName() + " here: " + why);
    };
  }
}
