package dev.graft.tufcli;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The parsed arguments of {@code graft-tuf-client}: the common TUF client-under-test command line,
 * options first, then the command word. Parsing is strict: an unknown, repeated (other than {@code
 * --target-name}), missing or inapplicable option is an error, so a typo never silently changes
 * what the client does.
 */
record CommandLine(
    Command command,
    String metadataDir,
    @Nullable String metadataUrl,
    List<String> targetNames,
    @Nullable String targetBaseUrl,
    @Nullable String targetDir,
    @Nullable String trustedRoot) {

  enum Command {
    INIT,
    REFRESH,
    DOWNLOAD,
    HELP
  }

  static final String USAGE =
      """
      usage: graft-tuf-client --metadata-dir DIR init TRUSTED_ROOT_FILE
             graft-tuf-client --metadata-dir DIR --metadata-url URL refresh
             graft-tuf-client --metadata-dir DIR --metadata-url URL \\
                 --target-name PATH [--target-name PATH ...] \\
                 --target-base-url URL --target-dir DIR download
             graft-tuf-client --help

      A plain TUF 1.0 client (hybrid keys not required) for TUF conformance suites.
        init      trust TRUSTED_ROOT_FILE (it must be a root that signs itself); no network
        refresh   update root, timestamp, snapshot and targets from --metadata-url
        download  refresh once, then fetch and verify each --target-name in order into
                  --target-dir (as its percent-encoded path); stops at the first failure
      Options come before the command word. Exit status: 0 success, 1 anything else.
      Trusted metadata lives in DIR as root.json, timestamp.json, snapshot.json, targets.json
      and <percent-encoded role name>.json. GRAFT_DEBUG=1 prints stack traces.
      """;

  /** A command line that does not follow the usage; the message says what is wrong. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static CommandLine parse(String... args) throws UsageException {
    String metadataDir = null;
    String metadataUrl = null;
    String targetBaseUrl = null;
    String targetDir = null;
    List<String> targetNames = new ArrayList<>();
    int i = 0;
    while (i < args.length && args[i].startsWith("-")) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        if (args.length != 1) {
          throw new UsageException("--help takes no other arguments");
        }
        return new CommandLine(Command.HELP, "", null, List.of(), null, null, null);
      }
      String name = arg;
      String value;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
        i += 1;
      } else {
        if (i + 1 >= args.length) {
          throw new UsageException("option " + arg + " needs a value");
        }
        value = args[i + 1];
        i += 2;
      }
      if (value.isEmpty()) {
        throw new UsageException("option " + name + " has an empty value");
      }
      switch (name) {
        case "--metadata-dir" -> metadataDir = once(name, metadataDir, value);
        case "--metadata-url" -> metadataUrl = once(name, metadataUrl, value);
        case "--target-base-url" -> targetBaseUrl = once(name, targetBaseUrl, value);
        case "--target-dir" -> targetDir = once(name, targetDir, value);
        case "--target-name" -> targetNames.add(value);
        default -> throw new UsageException("unknown option '" + name + "'");
      }
    }
    if (i >= args.length) {
      throw new UsageException("no command given; expected init, refresh or download");
    }
    String word = args[i];
    List<String> operands = List.of(args).subList(i + 1, args.length);
    for (String operand : operands) {
      if (operand.startsWith("-")) {
        throw new UsageException(
            "option " + operand + " comes after the command word; options must come first");
      }
    }
    Command command =
        switch (word) {
          case "init" -> Command.INIT;
          case "refresh" -> Command.REFRESH;
          case "download" -> Command.DOWNLOAD;
          default ->
              throw new UsageException(
                  "unknown command '" + word + "'; expected init, refresh or download");
        };
    if (metadataDir == null) {
      throw new UsageException(word + " needs --metadata-dir");
    }
    String trustedRoot = null;
    switch (command) {
      case INIT -> {
        if (operands.size() != 1) {
          throw new UsageException(
              "init takes exactly one argument, the trusted root file; got " + operands.size());
        }
        trustedRoot = operands.get(0);
        notAllowed(word, "--metadata-url", metadataUrl != null);
      }
      case REFRESH, DOWNLOAD -> {
        if (!operands.isEmpty()) {
          throw new UsageException(word + " takes no arguments; got " + operands);
        }
        if (metadataUrl == null) {
          throw new UsageException(word + " needs --metadata-url");
        }
      }
      case HELP -> throw new IllegalStateException("help is handled above");
    }
    if (command == Command.DOWNLOAD) {
      if (targetNames.isEmpty()) {
        throw new UsageException("download needs at least one --target-name");
      }
      if (targetBaseUrl == null) {
        throw new UsageException("download needs --target-base-url");
      }
      if (targetDir == null) {
        throw new UsageException("download needs --target-dir");
      }
    } else {
      notAllowed(word, "--target-name", !targetNames.isEmpty());
      notAllowed(word, "--target-base-url", targetBaseUrl != null);
      notAllowed(word, "--target-dir", targetDir != null);
    }
    return new CommandLine(
        command,
        metadataDir,
        metadataUrl,
        List.copyOf(targetNames),
        targetBaseUrl,
        targetDir,
        trustedRoot);
  }

  private static String once(String name, @Nullable String previous, String value)
      throws UsageException {
    if (previous != null) {
      throw new UsageException("option " + name + " given more than once");
    }
    return value;
  }

  private static void notAllowed(String command, String option, boolean present)
      throws UsageException {
    if (present) {
      throw new UsageException(option + " does not apply to " + command);
    }
  }
}
