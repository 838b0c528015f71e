package dev.graft.signer;

import dev.graft.bundle.TrustException;
import dev.graft.pkcs11.Pkcs11Exception;
import dev.graft.policies.PolicyViolationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code graft}: the release engineer's command. This class holds the command tree, the one place
 * that turns exceptions into messages and exit codes ({@link ExitCode}), and the entry points: the
 * {@link #main} of {@code bin/graft} and {@link #run} for running the command in-process (tests).
 */
@Command(
    name = "graft",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    header = "Graft: signed updates for industrial IoT gateways.",
    description = {
      "Creates and maintains a TUF image repository, adds releases to it and signs them, m of n,"
          + " with keys in files or on PKCS#11 tokens.",
      ""
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      CompletionCommand.class,
      dev.graft.signer.cli.RepoCommand.class,
      dev.graft.signer.cli.KeyCommand.class,
      dev.graft.signer.cli.ReleaseCommand.class,
      dev.graft.signer.cli.SignCommand.class,
      dev.graft.signer.cli.StatusCommand.class,
      dev.graft.signer.cli.BundleCommand.class,
      dev.graft.signer.cli.InspectCommand.class,
      dev.graft.signer.cli.VerifyCommand.class,
      dev.graft.signer.cli.PolicyCommand.class,
      dev.graft.signer.cli.PublishCommand.class,
      dev.graft.signer.cli.AuditCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft repo init repo/                     # new repository, demo keys",
      "  graft release add repo/ thermostat.graft --hardware gw-x86-64",
      "  graft sign repo/ targets --key alice.pem  # one signature of m",
      "  graft sign repo/ targets --key 'pkcs11:token=bob;object=t?pin-source=env:PIN'",
      "  graft status repo/                        # who still has to sign",
      "  graft bundle build --wasm m.wasm --manifest m.json --out m-1.0.0.graft",
      "  graft inspect m-1.0.0.graft               # what a bundle or metadata says",
      "  graft policy check m-1.0.0.graft site.yaml  # would the site accept it?",
      "  graft verify repo/ --bundle m-1.0.0.graft # check everything a gateway checks",
      "  graft key generate --out alice.pem        # a key holder's new key",
      "  graft audit verify gw-0042/audit.jsonl    # a gateway's audit log export",
      "  graft repo expire-check repo/             # exit 3 when something expires soon",
      "  graft publish repo/ --broker mqtts://broker:8883 --tls-ca ca.pem \\",
      "      --tls-cert publisher.pem --tls-key publisher.key   # to the gateways",
      "  graft help sign                           # every option of one command",
      "",
      "Keys: a pkcs11: URI (RFC 7512), an encrypted private key file (.pem;",
      "  --passphrase prompt|file:PATH|env:NAME) or a public key file (.pub.json).",
      "Exit codes: 0 ok, 1 failed or refused (nothing changed), 2 usage error,",
      "  3 needs attention (a check found a problem), 4 declined at a confirmation.",
      "Documentation: docs/cli.md"
    })
public final class Graft implements Runnable {
  private final CliContext context;

  public Graft(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    // `graft` alone: the help teaches more than an error would.
    new CommandLine(this, new Factory(context)).usage(context.terminal().out());
  }

  public static void main(String[] args) {
    CliContext context = CliContext.system();
    int code = run(context, args);
    context.terminal().out().flush();
    context.terminal().err().flush();
    System.exit(code);
  }

  /** Runs one command line in this process and returns its exit code. */
  public static int run(CliContext context, String... args) {
    CommandLine commandLine = commandLine(context);
    return commandLine.execute(args);
  }

  /**
   * Runs one command line in this process with plain streams: not interactive, answers to
   * confirmations read from {@code in}, no secret prompts, the process's environment.
   */
  public static int run(PrintWriter out, PrintWriter err, InputStream in, String... args) {
    Terminal terminal =
        new Terminal.Streams(out, err, in, false, prompt -> java.util.Optional.empty());
    return run(new CliContext(terminal, System.getenv(), Clock.systemUTC()), args);
  }

  /** The command tree, wired to {@code context}'s streams. */
  public static CommandLine commandLine(CliContext context) {
    CommandLine commandLine = new CommandLine(new Graft(context), new Factory(context));
    commandLine.setOut(context.terminal().out());
    commandLine.setErr(context.terminal().err());
    commandLine.setExecutionExceptionHandler(
        (exception, failed, parseResult) -> report(exception, failed, context.environment()));
    commandLine.setParameterExceptionHandler(Graft::usageError);
    return commandLine;
  }

  /**
   * A wrong command line: names what is wrong first (an unknown option before whatever picocli
   * noticed, such as the required option it therefore misses), suggests the closest name, and
   * prints the short usage, not every option.
   */
  static int usageError(CommandLine.ParameterException exception, String[] args) {
    CommandLine failed = exception.getCommandLine();
    CommandSpec spec = failed.getCommandSpec();
    PrintWriter err = failed.getErr();
    String command = spec.qualifiedName();
    List<String> unknown = unknownOptions(spec, exception, args);
    if (!unknown.isEmpty()) {
      for (String option : unknown) {
        String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
        err.println(
            command
                + ": unknown option '"
                + name
                + "'"
                + closest(name, optionNames(spec))
                    .map(c -> "; did you mean '" + c + "'?")
                    .orElse(""));
      }
    } else if (exception instanceof CommandLine.UnmatchedArgumentException unmatched
        && !spec.subcommands().isEmpty()
        && !unmatched.getUnmatched().isEmpty()) {
      String word = unmatched.getUnmatched().getFirst();
      err.println(
          command
              + ": unknown command '"
              + word
              + "'"
              + closest(word, new ArrayList<>(spec.subcommands().keySet()))
                  .map(c -> "; did you mean '" + c + "'?")
                  .orElse(""));
    } else {
      err.println(command + ": " + exception.getMessage());
    }
    err.print("Usage: " + failed.getHelp().synopsis(0));
    err.println("Every option: " + command + " --help");
    err.flush();
    return ExitCode.USAGE.code();
  }

  /** The arguments that look like options but are none of this command's (or its parents'). */
  private static List<String> unknownOptions(
      CommandSpec spec, CommandLine.ParameterException exception, String[] args) {
    List<String> candidates = new ArrayList<>();
    if (exception instanceof CommandLine.UnmatchedArgumentException unmatched) {
      candidates.addAll(unmatched.getUnmatched());
    }
    candidates.addAll(Arrays.asList(args));
    List<String> unknown = new ArrayList<>();
    boolean endOfOptions = false;
    for (String arg : candidates) {
      if (arg.equals("--")) {
        endOfOptions = true;
      }
      if (endOfOptions || !arg.startsWith("-") || arg.length() < 2 || arg.matches("-[0-9].*")) {
        continue;
      }
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (!known(spec, name) && !unknown.contains(arg)) {
        unknown.add(arg);
      }
    }
    return unknown;
  }

  private static boolean known(CommandSpec spec, String name) {
    for (CommandSpec s = spec; s != null; s = s.parent()) {
      if (s.findOption(name) != null) {
        return true;
      }
      if (!name.startsWith("--") && name.length() > 2) {
        // Clustered short options (-hV).
        boolean all = true;
        for (char c : name.substring(1).toCharArray()) {
          all &= s.findOption(c) != null;
        }
        if (all) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> optionNames(CommandSpec spec) {
    List<String> names = new ArrayList<>();
    for (CommandLine.Model.OptionSpec option : spec.options()) {
      names.addAll(Arrays.asList(option.names()));
    }
    return names;
  }

  /** The candidate nearest to {@code typed}, when it is near enough to be a typo of it. */
  static Optional<String> closest(String typed, List<String> candidates) {
    @org.jspecify.annotations.Nullable String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance = distance(typed, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    if (best == null || bestDistance > Math.max(2, best.length() / 3)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(best);
  }

  /** Edit distance (insertions, deletions, substitutions and swaps of neighbours). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** Prints what went wrong, naming the command, and returns the exit code for it. */
  static int report(Exception exception, CommandLine failed, Map<String, String> environment) {
    PrintWriter err = failed.getErr();
    String command = failed.getCommandSpec().qualifiedName();
    ExitCode code = ExitCode.FAILURE;
    String message;
    switch (exception) {
      case CliException e -> {
        code = e.exitCode();
        message = e.getMessage();
      }
      case TrustException e -> message = e.getMessage();
      case Pkcs11Exception e -> message = e.getMessage();
      case PolicyViolationException e -> message = e.getMessage();
      case dev.graft.signer.repo.RepoException e ->
          message = dev.graft.signer.cli.NextSteps.message(e);
      case UncheckedIOException e ->
          message = describe(java.util.Objects.requireNonNull(e.getCause()));
      case IOException e -> message = describe(e);
      default -> message = "internal error: " + exception + " (please report it)";
    }
    err.println(command + ": " + message);
    if (environment.containsKey("GRAFT_DEBUG")) {
      exception.printStackTrace(err);
    }
    err.flush();
    return code.code();
  }

  private static String describe(IOException e) {
    return switch (e) {
      case java.nio.file.NoSuchFileException missing ->
          "no such file or directory: " + missing.getFile();
      case java.nio.file.AccessDeniedException denied -> "permission denied: " + denied.getFile();
      case java.nio.file.FileAlreadyExistsException exists -> "already exists: " + exists.getFile();
      default -> "input/output error: " + e.getMessage();
    };
  }

  /**
   * Creates commands, passing the {@link CliContext} to those whose constructor takes one; others
   * (picocli's own) are made the default way.
   */
  private record Factory(CliContext context) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      Constructor<K> withContext;
      try {
        withContext = type.getDeclaredConstructor(CliContext.class);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
      try {
        withContext.setAccessible(true);
        return withContext.newInstance(context);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof Exception cause) {
          throw cause;
        }
        throw e;
      }
    }
  }
}
