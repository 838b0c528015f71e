package dev.graft.bundle;

/**
 * A target path was listed by a role other than the one that alone may list it (e.g. a grant not
 * from the site-keyed {@code grants} role).
 */
public final class TargetFromWrongRoleException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String listedBy;
  private final String requiredRole;

  private TargetFromWrongRoleException(String path, String listedBy, String requiredRole) {
    super(
        "'"
            + path
            + "' is listed by role "
            + listedBy
            + ", but only role "
            + requiredRole
            + " may list it — possible compromise of the "
            + listedBy
            + " key; refusing it");
    this.path = path;
    this.listedBy = listedBy;
    this.requiredRole = requiredRole;
  }

  /**
   * {@code path} is listed first by {@code listedBy}, but only {@code requiredRole} may list it.
   */
  public static TargetFromWrongRoleException of(String path, String listedBy, String requiredRole) {
    return new TargetFromWrongRoleException(path, listedBy, requiredRole);
  }

  public String path() {
    return path;
  }

  public String listedBy() {
    return listedBy;
  }

  public String requiredRole() {
    return requiredRole;
  }
}
