package dev.graft.bundle.tuf;

import java.util.Optional;

/**
 * Where verified metadata is kept between runs. The client only ever stores bytes it has just
 * verified, so a rejected file never replaces a trusted one. Implementations must replace a file
 * atomically: after a crash either the old or the new bytes are there, never a mix.
 */
public interface TrustedStore {
  Optional<byte[]> load(String roleName);

  void store(String roleName, byte[] bytes);

  void delete(String roleName);
}
