package dev.graft.sim;

import java.security.MessageDigest;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A DTLS pre-shared key: the identity a client presents and the secret both sides hold. A class
 * rather than a record so that the key is copied in and out and never appears in {@link
 * #toString()}.
 */
public final class Psk {
  private final String identity;
  private final byte[] key;

  public Psk(String identity, byte[] key) {
    this.identity = Objects.requireNonNull(identity);
    this.key = key.clone();
  }

  public String identity() {
    return identity;
  }

  /** A copy of the key bytes. */
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
