package dev.graft.signer;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs {@code graft} in-process as a test would type it: environment variables, typed answers and
 * prompted secrets given up front, output captured.
 */
public final class GraftRun {
  private final Map<String, String> environment = new HashMap<>();
  private final Deque<String> secrets = new ArrayDeque<>();
  private String input = "";
  private Clock clock = Clock.systemUTC();

  public static GraftRun graft() {
    return new GraftRun();
  }

  /** Sets an environment variable the command sees (for {@code env:} secret sources). */
  public GraftRun env(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** Lines typed at confirmations, in order. */
  public GraftRun typing(String... lines) {
    input = String.join("\n", lines) + "\n";
    return this;
  }

  /** Secrets typed at passphrase/PIN prompts, in order. */
  public GraftRun prompting(String... answers) {
    secrets.addAll(List.of(answers));
    return this;
  }

  public GraftRun clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Terminal terminal =
        new Terminal.Streams(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
            false,
            prompt -> Optional.ofNullable(secrets.poll()).map(String::toCharArray));
    int code = Graft.run(new CliContext(terminal, environment, clock), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** What a run printed and how it exited. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
  }
}
