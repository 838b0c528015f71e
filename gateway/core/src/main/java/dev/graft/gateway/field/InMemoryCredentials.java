package dev.graft.gateway.field;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A credential store held in memory, filled by whoever reads the gateway's local secrets. Each name
 * holds one credential: storing a PSK under a name drops a certificate stored under it, and the
 * other way round, so a grant's name never means two things.
 */
public final class InMemoryCredentials implements Credentials {
  private final Map<String, PskCredential> psks = new ConcurrentHashMap<>();
  private final Map<String, CertificateCredential> certificates = new ConcurrentHashMap<>();

  /** Stores a PSK under {@code name}, replacing (and wiping) any earlier one. */
  public synchronized InMemoryCredentials putPsk(String name, String identity, byte[] secret) {
    PskCredential previous = psks.put(name, new PskCredential(identity, secret));
    if (previous != null) {
      previous.wipe();
    }
    certificates.remove(name);
    return this;
  }

  /** Stores a certificate identity under {@code name}, replacing any earlier credential. */
  public synchronized InMemoryCredentials putCertificate(
      String name, CertificateCredential credential) {
    certificates.put(name, credential);
    PskCredential previous = psks.remove(name);
    if (previous != null) {
      previous.wipe();
    }
    return this;
  }

  /**
   * Reads a certificate identity from PEM files (see {@link CertificateCredential#fromPem}) and
   * stores it under {@code name}.
   */
  public InMemoryCredentials putCertificate(
      String name, Path privateKeyPem, Path chainPem, Path trustAnchorsPem) {
    return putCertificate(
        name, CertificateCredential.fromPem(privateKeyPem, chainPem, trustAnchorsPem));
  }

  @Override
  public Optional<PskCredential> psk(String name) {
    return Optional.ofNullable(psks.get(name));
  }

  @Override
  public Optional<CertificateCredential> certificate(String name) {
    return Optional.ofNullable(certificates.get(name));
  }
}
