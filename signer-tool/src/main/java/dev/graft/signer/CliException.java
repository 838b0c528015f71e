package dev.graft.signer;

/**
 * A failure a command reports to the user: the message names the file, role or key and the fix, and
 * the exit code says what kind of failure it is. Commands throw it; {@link Graft} prints the
 * message and exits with the code.
 */
public class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ExitCode exitCode;

  public CliException(String message) {
    this(ExitCode.FAILURE, message);
  }

  public CliException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
    this.exitCode = ExitCode.FAILURE;
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
