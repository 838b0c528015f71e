package dev.graft.gateway.field;

import java.util.Optional;

/**
 * The gateway-local secret store that a grant's {@code credential} names. The grant never holds a
 * secret, only the name under which this store keeps it. A name stands for one credential: a DTLS
 * pre-shared key or a certificate identity.
 */
public interface Credentials {

  /** The DTLS pre-shared key stored under {@code name}, if there is one. */
  Optional<PskCredential> psk(String name);

  /**
   * The DTLS certificate identity stored under {@code name}, if there is one. A store that holds
   * only pre-shared keys has none.
   */
  default Optional<CertificateCredential> certificate(String name) {
    return Optional.empty();
  }

  /** No credentials at all: for sites without {@code coaps://} devices. */
  static Credentials none() {
    return name -> Optional.empty();
  }
}
