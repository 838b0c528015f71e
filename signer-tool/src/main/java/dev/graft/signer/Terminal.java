package dev.graft.signer;

import dev.graft.pkcs11.SecretPrompt;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a command talks to: its output streams, whether a person is watching (progress output only
 * then), and how it asks that person for a confirmation or a secret. Tests pass their own.
 */
public interface Terminal {
  PrintWriter out();

  PrintWriter err();

  /** Whether standard output is a terminal: progress output is shown only then. */
  boolean interactive();

  /**
   * A line typed in answer to {@code prompt}; empty when nobody can answer (no input, or it ended).
   */
  Optional<String> readLine(String prompt);

  /** Asks for secrets (passphrases, PINs) without echoing them. */
  SecretPrompt secretPrompt();

  /**
   * Asks a yes/no question; only "y" or "yes" (any case) is yes. Nobody to ask counts as no, so a
   * script without {@code --yes} never changes anything by accident.
   */
  default boolean confirm(String question) {
    return readLine(question + " [y/N] ")
        .map(answer ->
            answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))
        .orElse(false);
  }

  /** The process's own streams and console. */
  @SuppressWarnings("SystemConsoleNull") // System.console() is still documented to return null.
  static Terminal system() {
    java.io.Console console = System.console();
    boolean interactive = console != null && console.isTerminal();
    PrintWriter out =
        new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err =
        new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    return new Streams(out, err, System.in, interactive, SecretPrompt.console());
  }

  /**
   * A terminal over plain streams: answers are read line by line from {@code in}, secrets from
   * {@code secrets}. Used for pipes and by tests.
   */
  record Streams(
      PrintWriter out,
      PrintWriter err,
      @Nullable InputStream in,
      boolean interactive,
      SecretPrompt secretPrompt)
      implements Terminal {

    @Override
    public Optional<String> readLine(String prompt) {
      if (in == null) {
        return Optional.empty();
      }
      err.print(prompt);
      err.flush();
      try {
        // One byte at a time, so that nothing past the line is consumed from a shared stream.
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
          line.append((char) c);
        }
        if (c < 0 && line.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(line.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
