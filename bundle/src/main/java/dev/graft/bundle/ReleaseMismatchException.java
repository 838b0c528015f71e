package dev.graft.bundle;

/**
 * A bundle's manifest names another module or version than the image repository signed for its
 * target ({@code custom.graft}): the signed fields are the ones that count, so the bundle is
 * refused.
 */
public final class ReleaseMismatchException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String bundleModule;
  private final String bundleVersion;
  private final String releasedModule;
  private final String releasedVersion;

  private ReleaseMismatchException(
      String path,
      String bundleModule,
      String bundleVersion,
      String releasedModule,
      String releasedVersion) {
    super(
        "bundle "
            + path
            + " carries "
            + bundleModule
            + " "
            + bundleVersion
            + " but was released as "
            + releasedModule
            + " "
            + releasedVersion
            + " — its manifest does not match the signed release; refusing it (re-release the"
            + " bundle so that both agree)");
    this.path = path;
    this.bundleModule = bundleModule;
    this.bundleVersion = bundleVersion;
    this.releasedModule = releasedModule;
    this.releasedVersion = releasedVersion;
  }

  /**
   * The bundle at target {@code path} carries {@code bundleModule} {@code bundleVersion} in its
   * manifest, but was released as {@code releasedModule} {@code releasedVersion}.
   */
  public static ReleaseMismatchException of(
      String path,
      String bundleModule,
      String bundleVersion,
      String releasedModule,
      String releasedVersion) {
    return new ReleaseMismatchException(
        path, bundleModule, bundleVersion, releasedModule, releasedVersion);
  }

  public String path() {
    return path;
  }

  public String bundleModule() {
    return bundleModule;
  }

  public String bundleVersion() {
    return bundleVersion;
  }

  public String releasedModule() {
    return releasedModule;
  }

  public String releasedVersion() {
    return releasedVersion;
  }
}
