package dev.graft.gateway.field;

import java.util.Optional;

/**
 * The gateway-local secret store that a grant's {@code credential} names. The grant never holds a
 * secret, only the name under which this store keeps it.
 */
public interface Credentials {

  /** The DTLS pre-shared key stored under {@code name}, if there is one. */
  Optional<PskCredential> psk(String name);

  /** No credentials at all: for sites without {@code coaps://} devices. */
  static Credentials none() {
    return name -> Optional.empty();
  }
}
