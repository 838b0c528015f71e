package dev.graft.signer.cli;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.format.BundleWriter;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.tufclient.AtomicFile;
import dev.graft.policies.GrantException;
import dev.graft.policies.Manifest;
import dev.graft.policies.ManifestException;
import dev.graft.policies.PolicyViolationException;
import dev.graft.policies.abi.AbiLimits;
import dev.graft.policies.abi.AbiValidator;
import dev.graft.policies.abi.AbiViolationException;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code graft bundle …}: building bundles. */
@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    description = "Builds bundles (*.graft) from a WebAssembly module and its manifest.",
    subcommands = {BundleCommand.Build.class})
public final class BundleCommand implements Runnable {
  private final CliContext context;

  BundleCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(context.terminal().out());
  }

  /** {@code graft bundle build --wasm FILE --manifest FILE --out NAME.graft}. */
  @Command(
      name = "build",
      header = "Validates a module and its manifest, then writes the bundle.",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Checks the manifest against the manifest format (ABI graft/1, name, version, tick,"
            + " limits, points), the module against ABI graft/1 (exports, imports, memory within"
            + " the manifest's limits.memory_pages) and the module's SHA-256 against the"
            + " manifest's module.sha256. Only then writes the bundle: a ZIP holding exactly"
            + " manifest.json and module.wasm, STORED, with fixed timestamps, so the same inputs"
            + " always give the same bytes and a release can be checked by rebuilding it.",
        "",
        "The output is written atomically (a temporary file, then a rename) and never"
            + " replaces an existing file unless --force is given. Nothing is written when a"
            + " check fails.",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  graft bundle build --wasm thermostat.wasm \\",
        "      --manifest thermostat.manifest.json --out thermostat-1.0.0.graft",
        "  graft bundle build --wasm build/boiler.wasm --manifest manifest-1.1.json",
        "      # writes boiler-control-1.1.0.graft (NAME-VERSION from the manifest)",
        "  graft bundle build --wasm m.wasm --manifest m.json --out m.graft --force \\",
        "      --json | jq -r .sha256",
        "",
        "Then: graft inspect NAME.graft, graft policy check NAME.graft site-grant.yaml,"
            + " graft release add repo/ NAME.graft --hardware ID"
      })
  static final class Build implements Runnable {
    private final CliContext context;

    @Option(
        names = "--wasm",
        paramLabel = "FILE",
        required = true,
        description = "The WebAssembly module (module.wasm in the bundle).")
    private Path wasm = Path.of(".");

    @Option(
        names = "--manifest",
        paramLabel = "FILE",
        required = true,
        description =
            "The module's manifest (manifest.json in the bundle); its module.sha256 must be the"
                + " module's SHA-256.")
    private Path manifest = Path.of(".");

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Where to write the bundle (default: NAME-VERSION.graft from the manifest).")
    private @Nullable Path out;

    @Option(names = "--force", description = "Replace FILE if it already exists.")
    private boolean force;

    @Option(names = "--json", description = "Machine-readable output.")
    private boolean json;

    Build(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      Built built = build(wasm, manifest);
      Path target =
          out != null
              ? out
              : Path.of(built.bundle().name() + "-" + built.bundle().version() + ".graft");
      if (!force && Files.exists(target)) {
        throw new CliException(
            target + " already exists; pass --force to replace it, or choose another --out");
      }
      write(target, built.bytes(), force);
      print(target, built);
    }

    private void print(Path target, Built built) {
      PrintWriter printer = context.terminal().out();
      Bundle bundle = built.bundle();
      String sha256 = InputFile.sha256(built.bytes());
      if (json) {
        JsonObject result =
            JsonObject.builder()
                .put("file", target.toString())
                .put("module", bundle.name())
                .put("version", bundle.version())
                .put("size", built.bytes().length)
                .put("sha256", sha256)
                .put("sha512", InputFile.hex("SHA-512", built.bytes()))
                .put("module_size", bundle.moduleSize())
                .put("module_sha256", bundle.moduleSha256())
                .build();
        printer.println(new String(PrettyJson.encode(result), StandardCharsets.UTF_8));
      } else {
        printer.println("Built " + target);
        printer.println(
            "  module   " + bundle.name() + " " + bundle.version() + " (ABI " + Manifest.ABI + ")");
        printer.println(
            "  size     "
                + built.bytes().length
                + " bytes (module.wasm "
                + bundle.moduleSize()
                + " bytes)");
        printer.println("  sha256   " + sha256);
      }
      printer.flush();
    }

    /** Writes a new file in one step; readers never see half a bundle. */
    private static void write(Path target, byte[] bytes, boolean replace) {
      try {
        Files.createDirectories(target.toAbsolutePath().getParent());
        if (replace) {
          AtomicFile.write(target, bytes, AtomicFile.READABLE_BY_ALL);
        } else {
          // Fails if the name exists, so a file created since the check above is not replaced.
          AtomicFile.create(target, bytes, AtomicFile.READABLE_BY_ALL);
        }
      } catch (FileAlreadyExistsException e) {
        throw new CliException(
            target + " already exists; pass --force to replace it, or choose another --out");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * A manifest or grant problem as "line L, column C, path: problem", without the name the parser
   * gives the document ({@code manifest.json}), so the caller can name the file as the user gave
   * it.
   */
  static String located(PolicyViolationException e) {
    return switch (e) {
      case ManifestException m -> m.located();
      case GrantException g -> g.located();
      default -> String.valueOf(e.getMessage());
    };
  }

  /**
   * The ABI check names its memory ceiling "the grant's"; {@code bundle build} involves no grant,
   * the ceiling there is the manifest's {@code limits.memory_pages}.
   */
  static String manifestCeiling(@Nullable String message) {
    return String.valueOf(message)
        .replace("the grant's ceiling of", "the manifest's limits.memory_pages of");
  }

  /** A bundle that passed every check, and its bytes. */
  @SuppressWarnings("ArrayRecordComponent") // never compared; the bytes are written out as is
  record Built(Bundle bundle, byte[] bytes) {}

  /**
   * Checks the manifest, the module and the two against each other, and lays out the bundle.
   *
   * @throws CliException naming the file at fault, every problem found in it and the fix
   */
  static Built build(Path wasmFile, Path manifestFile) {
    byte[] manifestBytes =
        InputFile.read(manifestFile, BundleReader.DEFAULT_MAX_MANIFEST_BYTES, "manifest");
    Manifest model;
    try {
      model = Manifest.parse(manifestBytes);
    } catch (PolicyViolationException e) {
      throw new CliException(
          manifestFile
              + " is not a valid manifest: "
              + located(e)
              + "; fix it (the format is in docs/module-abi.md, examples in"
              + " examples/target/wasm/*.manifest.json)");
    }
    byte[] module = InputFile.read(wasmFile, BundleReader.DEFAULT_MAX_MODULE_BYTES, "module");
    try {
      AbiValidator.validate(
          module,
          new AbiLimits(BundleReader.DEFAULT_MAX_MODULE_BYTES, model.limits().memoryPages()));
    } catch (AbiViolationException e) {
      throw new CliException(
          wasmFile
              + " is not a valid graft/1 module: "
              + manifestCeiling(e.getMessage())
              + "\n  (memory is checked against the manifest's limits.memory_pages = "
              + model.limits().memoryPages()
              + "); fix the module source and rebuild it, or correct the manifest");
    }
    String actual = InputFile.sha256(module);
    // Both hashes describe public bytes; nothing secret is compared here.
    if (!actual.equals(model.module().sha256())) {
      throw new CliException(
          manifestFile
              + " names module.sha256 "
              + model.module().sha256()
              + " but "
              + wasmFile
              + " hashes to "
              + actual
              + ": the manifest is for a different build of the module. Put "
              + actual
              + " in module.sha256 if this is the build you mean to release");
    }
    Bundle bundle;
    byte[] bytes;
    try {
      bundle = Bundle.of(manifestBytes, module);
      bytes = BundleWriter.write(bundle);
      // What gateways will run is what their reader accepts; prove it before writing anything.
      BundleReader.withDefaults().read(bytes);
    } catch (BundleFormatException e) {
      throw new CliException(
          "cannot bundle " + manifestFile + " with " + wasmFile + ": " + e.getMessage());
    }
    return new Built(bundle, bytes);
  }
}
