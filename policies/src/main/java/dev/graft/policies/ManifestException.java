package dev.graft.policies;

/**
 * A {@code manifest.json} that does not parse or breaks a rule of the manifest format; the message
 * names line, column and the path of the offending member.
 */
public final class ManifestException extends PolicyViolationException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;
  private final String path;
  private final String problem;

  public ManifestException(int line, int column, String path, String problem) {
    super(
        "manifest.json line "
            + line
            + ", column "
            + column
            + (path.isEmpty() ? "" : ", " + path)
            + ": "
            + problem);
    this.line = line;
    this.column = column;
    this.path = path;
    this.problem = problem;
  }

  /**
   * The message without the leading document name, such as {@code line 3, column 5, tick_ms: …},
   * for a caller that names the file as the user gave it.
   */
  public String located() {
    return "line "
        + line
        + ", column "
        + column
        + (path.isEmpty() ? "" : ", " + path)
        + ": "
        + problem;
  }

  /** What is wrong, without line, column and path. */
  public String problem() {
    return problem;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** Path of the offending member, such as {@code points[1].modbus.table}; empty for the root. */
  public String path() {
    return path;
  }
}
