package dev.graft.bundle;

/**
 * A target path was listed by a role other than the one that alone may list it (e.g. a grant not
 * from the site-keyed {@code grants} role).
 */
public class TargetFromWrongRoleException extends TrustException {
  private static final long serialVersionUID = 1L;

  public TargetFromWrongRoleException(String message) {
    super(message);
  }

  public TargetFromWrongRoleException(String message, Throwable cause) {
    super(message, cause);
  }
}
