package dev.graft.gateway.agent;

import static java.util.Objects.requireNonNull;

import dev.graft.bundle.tuf.PinnedRole;

/**
 * What the gateway was commissioned with and trusts without asking the broker: the image
 * repository's root, the director's root, and the site key(s) the director's {@code grants} role
 * must be delegated to (from key files, or token data objects in the same format: {@code
 * director.Grants.siteKeys...}).
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; never compared
public record Anchors(byte[] imageRoot, byte[] directorRoot, PinnedRole siteKeys) {
  public Anchors {
    requireNonNull(siteKeys, "siteKeys");
    imageRoot = imageRoot.clone();
    directorRoot = directorRoot.clone();
  }

  @Override
  public byte[] imageRoot() {
    return imageRoot.clone();
  }

  @Override
  public byte[] directorRoot() {
    return directorRoot.clone();
  }
}
