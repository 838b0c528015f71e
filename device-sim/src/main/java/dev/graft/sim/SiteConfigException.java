package dev.graft.sim;

/**
 * A site configuration that cannot be used; the message names the file, line and field, and never a
 * key's value.
 */
public final class SiteConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SiteConfigException(String message) {
    super(message);
  }

  public SiteConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
