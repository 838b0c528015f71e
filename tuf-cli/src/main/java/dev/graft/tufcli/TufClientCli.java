package dev.graft.tufcli;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.Limits;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.bundle.tufclient.AtomicFile;
import dev.graft.bundle.tufclient.FileTrustedStore;
import dev.graft.bundle.tufclient.HttpRepository;
import dev.graft.bundle.tufclient.PercentEncoding;
import dev.graft.tufcli.CommandLine.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * {@code graft-tuf-client}: the trust core as a plain TUF client behind the common TUF
 * client-under-test command line, so that a TUF conformance suite can drive it. Hybrid keys are not
 * required here (it must read ordinary Ed25519/ECDSA/RSA repositories). Every failure, a usage
 * error included, exits with status 1 and a message on stderr.
 */
public final class TufClientCli {
  private static final String NAME = "graft-tuf-client";

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;
  private final boolean debug;

  /**
   * @param clock decides expiry; {@link #main} uses the system clock
   * @param debug print stack traces with failures
   */
  public TufClientCli(PrintStream out, PrintStream err, Clock clock, boolean debug) {
    this.out = out;
    this.err = err;
    this.clock = clock;
    this.debug = debug;
  }

  public static void main(String[] args) {
    boolean debug = "1".equals(System.getenv("GRAFT_DEBUG"));
    int status = new TufClientCli(System.out, System.err, Clock.systemUTC(), debug).run(args);
    System.out.flush();
    System.exit(status);
  }

  /** Runs one command and returns the exit status: 0 on success, 1 on any failure. */
  public int run(String... args) {
    CommandLine line;
    try {
      line = CommandLine.parse(args);
    } catch (UsageException e) {
      err.println(NAME + ": " + e.getMessage());
      err.println();
      err.print(CommandLine.USAGE);
      return 1;
    }
    String command = line.command().name().toLowerCase(Locale.ROOT);
    try {
      return switch (line.command()) {
        case HELP -> {
          out.print(CommandLine.USAGE);
          yield 0;
        }
        case INIT -> init(line);
        case REFRESH -> refresh(line);
        case DOWNLOAD -> download(line);
      };
    } catch (RuntimeException | IOException e) {
      return fail(command + " failed", e);
    }
  }

  private int init(CommandLine line) throws IOException {
    Path directory = Path.of(line.metadataDir());
    Path rootFile = Path.of(requireValue(line.trustedRoot()));
    byte[] rootBytes = readTrustedRoot(rootFile);
    Files.createDirectories(directory);
    // Stricter than the protocol asks ("may simply copy"): the root must parse and sign itself.
    TufClient.initialize(new FileTrustedStore(directory), rootBytes, false);
    out.println(NAME + ": trusted root version stored in " + directory);
    return 0;
  }

  private int refresh(CommandLine line) {
    FileTrustedStore store = new FileTrustedStore(Path.of(line.metadataDir()));
    try (HttpRepository repository =
        HttpRepository.builder().metadataBaseUrl(requireValue(line.metadataUrl())).build()) {
      client(repository, store).refresh();
    }
    out.println(NAME + ": refreshed metadata in " + line.metadataDir());
    return 0;
  }

  private int download(CommandLine line) throws IOException {
    Path metadataDir = Path.of(line.metadataDir());
    Path targetDir = Path.of(requireValue(line.targetDir()));
    FileTrustedStore store = new FileTrustedStore(metadataDir);
    Files.createDirectories(targetDir);
    try (HttpRepository repository =
        HttpRepository.builder()
            .metadataBaseUrl(requireValue(line.metadataUrl()))
            .targetBaseUrl(requireValue(line.targetBaseUrl()))
            .build()) {
      TufClient client = client(repository, store);
      client.refresh();
      for (String name : line.targetNames()) {
        try {
          downloadOne(client, name, metadataDir, targetDir);
        } catch (RuntimeException | IOException e) {
          return fail("download of '" + name + "' failed", e);
        }
      }
    }
    return 0;
  }

  private void downloadOne(TufClient client, String name, Path metadataDir, Path targetDir)
      throws IOException {
    TargetFile target = client.requireTarget(name);
    Path destination = targetDir.resolve(PercentEncoding.fileName(name));
    if (isCached(destination, target)) {
      out.println(NAME + ": " + name + " is already downloaded as " + destination);
      return;
    }
    byte[] bytes = client.downloadTarget(target);
    try {
      // The temporary file lives in the metadata directory, so nothing unverified or partial is
      // ever visible in the target directory.
      AtomicFile.replace(destination, metadataDir, bytes);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "cannot move the verified download into "
              + targetDir
              + " atomically; the metadata directory and the target directory must be on the"
              + " same file system",
          e);
    }
    out.println(NAME + ": downloaded " + name + " as " + destination);
  }

  /** Whether the file already holds exactly this target (length and every listed hash). */
  private static boolean isCached(Path file, TargetFile target) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        || Files.size(file) != target.length()) {
      return false;
    }
    try {
      TufClient.verifyTarget(target, Files.readAllBytes(file));
      return true;
    } catch (TrustException e) {
      return false; // stale or damaged: download it again
    }
  }

  private TufClient client(HttpRepository repository, FileTrustedStore store) {
    return TufClient.builder()
        .repository(repository)
        .store(store)
        .clock(clock)
        .requireHybrid(false)
        .build();
  }

  private static byte[] readTrustedRoot(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("trusted root file " + file + " does not exist or is not a file");
    }
    long size = Files.size(file);
    long cap = Limits.DEFAULT.rootMaxLength();
    if (size > cap) {
      throw new IOException(
          "trusted root file "
              + file
              + " is "
              + size
              + " bytes, more than the "
              + cap
              + " allowed");
    }
    return Files.readAllBytes(file);
  }

  private int fail(String what, Exception e) {
    err.println(NAME + ": " + what + ": " + describe(e));
    if (debug) {
      e.printStackTrace(err);
    }
    return 1;
  }

  private static String describe(Throwable e) {
    Throwable shown = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    String message = e.getMessage();
    String kind = shown.getClass().getSimpleName();
    return message == null || message.isBlank() ? kind : kind + ": " + message;
  }

  private static String requireValue(@Nullable String value) {
    if (value == null) {
      throw new IllegalStateException("the command line parser checked this option");
    }
    return value;
  }
}
