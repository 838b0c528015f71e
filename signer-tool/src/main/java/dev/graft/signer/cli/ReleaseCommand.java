package dev.graft.signer.cli;

import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.format.ChunkList;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.repo.Changes;
import dev.graft.signer.repo.ImageRepository;
import dev.graft.signer.repo.Releases;
import dev.graft.signer.repo.RepoLock;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft release …}: releases in the image repository. */
@Command(
    name = "release",
    mixinStandardHelpOptions = true,
    description = "Adds releases (bundles) to an image repository.",
    subcommands = {ReleaseCommand.Add.class})
public final class ReleaseCommand implements Runnable {
  private final CliContext context;

  ReleaseCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(context.terminal().out());
  }

  /** {@code graft release add DIR BUNDLE}. */
  @Command(
      name = "add",
      header = "Stages a release: a bundle as a new target.",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Reads BUNDLE strictly, copies it to DIR/targets/SHA256.MODULE-VERSION.graft and stages a"
            + " new targets version that lists it with its length, SHA-256 and SHA-512 and"
            + " custom.graft: module, version, release_counter (the next one in the repository),"
            + " hardware, and the chunk list hash. The staged version then needs the targets"
            + " signatures (`graft sign DIR targets`). Signatures already collected on a staged"
            + " version are discarded, since they no longer cover it.",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  graft release add repo/ boiler-control-1.4.0.graft --hardware gw-x86-64",
        "  # roll back on purpose: re-release 1.3.0 above the current counter",
        "  graft release add repo/ boiler-control-1.3.0.graft --hardware gw-x86-64 \\",
        "      --release-counter 15",
        "",
        "A version older than the module's latest release is refused unless --release-counter"
            + " or --force says the rollback is meant."
      })
  static final class Add implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "DIR", description = "The repository.")
    private Path directory = Path.of(".");

    @Parameters(index = "1", paramLabel = "BUNDLE", description = "The bundle (*.graft).")
    private Path bundle = Path.of(".");

    @Option(
        names = "--hardware",
        paramLabel = "ID",
        required = true,
        description = "A hardware id this release is for (repeatable, at least one).")
    private List<String> hardware = new ArrayList<>();

    @Option(
        names = "--release-counter",
        paramLabel = "N",
        description =
            "An explicit release counter, above the repository's highest: a deliberate re-release"
                + " of an older version.")
    private @Nullable Long releaseCounter;

    @Option(
        names = "--force",
        description =
            "Add a version older than the module's latest release anyway (it gets the next,"
                + " higher release counter, so gateways install it as an update).")
    private boolean force;

    @Option(
        names = "--chunk-size",
        paramLabel = "BYTES",
        description = "Chunk size for MQTT delivery (default: 65536).")
    private int chunkSize = ChunkList.DEFAULT_SIZE;

    Add(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      try (RepoLock lock = RepoLock.acquire(directory)) {
        add();
      }
    }

    private void add() {
      ImageRepository repository = ImageRepository.open(directory, context.clock());
      byte[] bytes = readBundle(bundle);
      Optional<Releases.Newer> newer = Releases.newerRelease(repository, bytes);
      if (newer.isPresent() && releaseCounter == null && !force) {
        throw new CliException(
            newer.get().describe()
                + ": the older version would get the higher release counter, and gateways would"
                + " install it as an update. To roll back on purpose, give --release-counter N"
                + " (above the repository's highest counter) or --force; otherwise bump the"
                + " version in the manifest");
      }
      Releases.Added added =
          Releases.add(
              repository,
              bytes,
              bundle.toString(),
              releaseCounter == null ? OptionalLong.empty() : OptionalLong.of(releaseCounter),
              hardware,
              chunkSize);
      PrintWriter out = context.terminal().out();
      newer.ifPresent(n ->
          out.println(
              "Warning: "
                  + n.describe()
                  + "; it gets release counter "
                  + added.releaseCounter()
                  + ", so gateways install it as an update (a rollback)"));
      out.println(
          (added.replaced() ? "Re-released " : "Added ") + Changes.describe(added.target()));
      if (added.discardedSignatures() > 0) {
        out.println(
            "Discarded "
                + added.discardedSignatures()
                + " signature(s) of the previously staged targets version; its signers must"
                + " sign again");
      }
      StatusCommand.printSummary(ImageRepository.open(directory, context.clock()), out);
      out.flush();
    }

    private static byte[] readBundle(Path file) {
      long max = BundleReader.withDefaults().maxBundleBytes();
      try (InputStream in = Files.newInputStream(file)) {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (bytes.length > max) {
          throw new CliException(
              file + " is larger than the " + max + "-byte bundle cap; it is not a Graft bundle");
        }
        return bytes;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
