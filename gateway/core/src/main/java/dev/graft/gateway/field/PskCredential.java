package dev.graft.gateway.field;

import java.util.Arrays;

/**
 * A DTLS pre-shared key: the public identity sent in the handshake and the secret. The secret is
 * copied in and out and never appears in {@link #toString()}, so it cannot reach a log line.
 */
public final class PskCredential {
  private final String identity;
  private final byte[] secret;

  public PskCredential(String identity, byte[] secret) {
    if (identity.isEmpty()) {
      throw new IllegalArgumentException("a PSK identity must not be empty");
    }
    if (secret.length == 0) {
      throw new IllegalArgumentException("a PSK secret must not be empty");
    }
    this.identity = identity;
    this.secret = secret.clone();
  }

  public String identity() {
    return identity;
  }

  /** A copy of the secret; the caller should wipe it when done. */
  public byte[] secret() {
    return secret.clone();
  }

  /** Overwrites the secret in memory; the credential is useless afterwards. */
  void wipe() {
    Arrays.fill(secret, (byte) 0);
  }

  @Override
  public String toString() {
    return "PskCredential[identity=" + identity + ", secret=(" + secret.length + " bytes)]";
  }
}
