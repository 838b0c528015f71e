package dev.graft.bundle;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** An offline role lists a non-composite key while hybrid signatures are required. */
public final class HybridRequiredException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String role;
  private final String keyId;
  private final @Nullable String keyType;

  private HybridRequiredException(String role, String keyId, @Nullable String keyType) {
    super(
        role
            + " lists key "
            + keyId
            + " of type '"
            + (keyType == null ? "missing" : keyType)
            + "'; trust.require-hybrid allows only mldsa65-ed25519 keys for offline roles");
    this.role = role;
    this.keyId = keyId;
    this.keyType = keyType;
  }

  /**
   * {@code role} lists {@code keyId} of {@code keyType} (null: the key is missing from the key
   * list), which is not composite.
   */
  public static HybridRequiredException of(String role, String keyId, @Nullable String keyType) {
    return new HybridRequiredException(role, keyId, keyType);
  }

  /** The role as the client names it, e.g. {@code root version 3 role targets}. */
  public String role() {
    return role;
  }

  public String keyId() {
    return keyId;
  }

  /** The key's type, empty when the role lists a key id with no key. */
  public Optional<String> keyType() {
    return Optional.ofNullable(keyType);
  }
}
