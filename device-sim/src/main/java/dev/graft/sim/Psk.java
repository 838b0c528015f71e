package dev.graft.sim;

import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * A DTLS pre-shared key: the identity a client presents and the secret both sides hold. The key
 * never appears in {@link #toString()}.
 */
public record Psk(String identity, byte[] key) {
  public Psk {
    key = key.clone();
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public String toString() {
    return "Psk[identity=" + identity + ", key=(hidden)]";
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof Psk psk
        && psk.identity.equals(identity)
        && MessageDigest.isEqual(psk.key, key);
  }

  @Override
  public int hashCode() {
    return identity.hashCode();
  }
}
