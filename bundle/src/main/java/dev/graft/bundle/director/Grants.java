package dev.graft.bundle.director;

import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.PinnedRole;
import dev.graft.bundle.tuf.TufClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Grants are the site's, not the director's: a grant counts only when the director's delegated
 * {@code grants} role lists it, and that role's keys and threshold are exactly the site keys the
 * gateway was commissioned with (a trust anchor beside the two roots, from public key files or
 * token data objects in the same format). The director's online targets key can neither list a
 * grant itself nor re-delegate {@code grants} to a key of its own.
 */
public final class Grants {
  /** The director's delegated role that lists grants. */
  public static final String ROLE = "grants";

  private Grants() {}

  /** Where a gateway's grant is listed: {@code grants/<gateway id>.yaml}. */
  public static String path(String gatewayId) {
    return DirectorAgreement.GRANTS_PREFIX + gatewayId + ".yaml";
  }

  /** The pin of the {@code grants} role to the site keys, for {@link TufClient.Builder#pin}. */
  public static PinnedRole siteKeys(List<TufKey> keys, int threshold) {
    return new PinnedRole(ROLE, keys, threshold);
  }

  /**
   * Like {@link #siteKeys(List, int)}, from public key files (or the bytes of trust anchor data
   * objects, which hold the same format).
   *
   * @throws dev.graft.bundle.KeyFileException when a file is not a public key Graft knows
   */
  public static PinnedRole siteKeysFromFiles(List<byte[]> publicKeyFiles, int threshold) {
    List<TufKey> keys = new ArrayList<>();
    for (int i = 0; i < publicKeyFiles.size(); i++) {
      keys.add(PublicKeyFile.decode(publicKeyFiles.get(i), "site key " + (i + 1)));
    }
    return siteKeys(keys, threshold);
  }

  /**
   * Checks that the director (a client built with the site-key pin) lists {@code grantBytes} as
   * this gateway's grant in its {@code grants} role, with matching length and hashes.
   *
   * @throws dev.graft.bundle.TargetFromWrongRoleException when another role lists the grant path
   * @throws dev.graft.bundle.PinnedKeyMismatchException when {@code grants} is not delegated to
   *     exactly the site keys
   * @throws dev.graft.bundle.HashMismatchException when the signed grant is another one
   * @throws IllegalStateException when the client was built without the site-key pin, which would
   *     accept a re-delegated {@code grants} role
   */
  public static TargetFile require(TufClient director, String gatewayId, byte[] grantBytes) {
    if (director.pinnedRole(ROLE).isEmpty()) {
      throw new IllegalStateException(
          "the director client has no pin for the grants role; build it with"
              + " pin(Grants.siteKeys(...)), or a re-delegated grants role would be accepted");
    }
    TargetFile grant = director.requireTarget(path(gatewayId), ROLE);
    TufClient.verifyTarget(grant, grantBytes);
    return grant;
  }
}
