package dev.graft.bundle;

/** A target that no trusted targets role lists: the arbitrary-package attack, or a typo. */
public class TargetNotFoundException extends TrustException {
  private static final long serialVersionUID = 1L;

  public TargetNotFoundException(String message) {
    super(message);
  }

  public TargetNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
