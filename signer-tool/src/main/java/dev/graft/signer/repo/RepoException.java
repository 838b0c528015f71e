package dev.graft.signer.repo;

/**
 * Something about an image repository that stops an operation: a file that does not verify, a key
 * that is not the role's, a release counter that would go backwards. The message names the file,
 * role or key and what to do; the operation has changed nothing.
 */
public class RepoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RepoException(String message) {
    super(message);
  }

  public RepoException(String message, Throwable cause) {
    super(message, cause);
  }
}
