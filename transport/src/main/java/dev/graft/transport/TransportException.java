package dev.graft.transport;

import dev.graft.bundle.RepositoryException;

/**
 * The broker could not be reached, did not answer in time, or refused an operation. A {@link
 * RepositoryException}, so a TUF client treats it like any other repository failure.
 */
public class TransportException extends RepositoryException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
