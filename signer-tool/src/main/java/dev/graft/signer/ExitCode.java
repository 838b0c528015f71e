package dev.graft.signer;

/**
 * The exit codes of {@code graft}, documented in {@code docs/cli.md}. Scripts and timers branch on
 * them, so a code's meaning never changes.
 */
public enum ExitCode {
  /** The command did what was asked. */
  OK(0),
  /**
   * The command failed or refused: bad input, a tampered or unreadable file, a key that is not the
   * role's, a missing passphrase. Nothing was changed.
   */
  FAILURE(1),
  /** The command line itself was wrong: unknown option, missing argument. */
  USAGE(2),
  /**
   * A check found something that needs a person: metadata expires within the window ({@code repo
   * expire-check}) or has expired ({@code status}), a role lacks signatures ({@code status
   * --check}).
   */
  ATTENTION(3),
  /** The person at the terminal declined a confirmation; nothing was changed. */
  DECLINED(4);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
