package dev.graft.gateway.field;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A credential store held in memory, filled by whoever reads the gateway's local secrets. */
public final class InMemoryCredentials implements Credentials {
  private final Map<String, PskCredential> psks = new ConcurrentHashMap<>();

  /** Stores a PSK under {@code name}, replacing (and wiping) any earlier one. */
  public InMemoryCredentials putPsk(String name, String identity, byte[] secret) {
    PskCredential previous = psks.put(name, new PskCredential(identity, secret));
    if (previous != null) {
      previous.wipe();
    }
    return this;
  }

  @Override
  public Optional<PskCredential> psk(String name) {
    return Optional.ofNullable(psks.get(name));
  }
}
