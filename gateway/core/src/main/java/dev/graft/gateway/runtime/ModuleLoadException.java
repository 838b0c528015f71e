package dev.graft.gateway.runtime;

/** A module passed validation but could not be brought up within the grant. */
public final class ModuleLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModuleLoadException(String message) {
    super(message);
  }

  public ModuleLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
