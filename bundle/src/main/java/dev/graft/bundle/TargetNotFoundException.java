package dev.graft.bundle;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A target that no trusted targets role lists: the arbitrary-package attack, or a typo. */
public final class TargetNotFoundException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final @Nullable String requiredRole;

  private TargetNotFoundException(String message, String path, @Nullable String requiredRole) {
    super(message);
    this.path = path;
    this.requiredRole = requiredRole;
  }

  /** No trusted targets role lists {@code path}. */
  public static TargetNotFoundException of(String path) {
    return new TargetNotFoundException(
        "no trusted targets role lists '" + path + "'; refusing to download it", path, null);
  }

  /** No trusted targets role lists {@code path}, which must come from {@code requiredRole}. */
  public static TargetNotFoundException of(String path, String requiredRole) {
    return new TargetNotFoundException(
        "no trusted targets role lists '"
            + path
            + "' (it must come from role "
            + requiredRole
            + "); refusing it",
        path,
        requiredRole);
  }

  public String path() {
    return path;
  }

  /** The role the target had to come from, when the caller required one. */
  public Optional<String> requiredRole() {
    return Optional.ofNullable(requiredRole);
  }
}
