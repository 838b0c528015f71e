package dev.graft.signer.cli;

import dev.graft.bundle.Digests;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Signature;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.tufclient.AtomicFile;
import dev.graft.pkcs11.SecretSource;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.ExitCode;
import dev.graft.signer.KeySource;
import dev.graft.signer.repo.Changes;
import dev.graft.signer.repo.ImageRepository;
import dev.graft.signer.repo.RepoLock;
import dev.graft.signer.repo.Staging;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft sign}: one signature on a staged role, here or on an air-gapped machine. */
@Command(
    name = "sign",
    header = "Adds one signature to a staged role (m of n; air-gapped too).",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Adds one signature to the staged version of ROLE (root or targets). It first shows what"
          + " changes against the published version and asks for confirmation (--yes for"
          + " scripts), and refuses a key that is not one of the role's keys. The signature that"
          + " reaches the threshold publishes the role; the online keys then sign new snapshot and"
          + " timestamp versions (passphrase from --online-passphrase, default"
          + " env:GRAFT_ONLINE_PASSPHRASE when set, else a prompt).",
      "Air-gapped: --export-request writes what to sign; on the offline machine --request FILE"
          + " --key KEY writes a signature file; --import adds it here, verifying it first.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft sign repo/ targets --key alice.pem",
      "  graft sign repo/ targets \\",
      "      --key 'pkcs11:token=bob;object=targets?pin-source=env:PIN'",
      "  graft sign repo/ targets --export-request targets-7.request.json",
      "  graft sign --request targets-7.request.json --key carol.pem  # offline",
      "  graft sign repo/ --import targets-7.request.sig.json"
    })
public final class SignCommand implements Runnable {
  private final CliContext context;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The repository.")
  private @Nullable Path directory;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "ROLE",
      converter = RoleConverter.class,
      completionCandidates = RoleConverter.Offline.class,
      description = "root or targets.")
  private @Nullable RoleType role;

  @Option(names = "--key", paramLabel = "KEY", description = "The signing key: .pem or pkcs11:.")
  private @Nullable String key;

  @Option(
      names = "--passphrase",
      paramLabel = "SOURCE",
      description = "Passphrase of a .pem key: prompt, file:PATH or env:NAME (default: prompt).")
  private String passphrase = "prompt";

  @Option(
      names = "--online-passphrase",
      paramLabel = "SOURCE",
      description = "Passphrase of the online key files, when this signature publishes.")
  private @Nullable String onlinePassphrase;

  @Option(names = "--yes", description = "Sign without asking (for scripts).")
  private boolean yes;

  @Option(
      names = "--export-request",
      paramLabel = "FILE",
      description = "Write a signing request for an offline machine instead of signing.")
  private @Nullable Path exportRequest;

  @Option(
      names = "--request",
      paramLabel = "FILE",
      description = "Sign a request file (offline machine; no repository needed).")
  private @Nullable Path request;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "Where --request writes the signature (default: REQUEST minus .json + .sig.json).")
  private @Nullable Path out;

  @Option(
      names = "--import",
      paramLabel = "FILE",
      description = "Add a signature file made with --request.")
  private @Nullable Path importFile;

  SignCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    if (request != null) {
      signRequest(request);
    } else if (importFile != null) {
      try (RepoLock lock = RepoLock.acquire(requireDirectory())) {
        importSignature(requireDirectory(), importFile);
      }
    } else if (exportRequest != null) {
      exportRequest(requireDirectory(), requireRole(), exportRequest);
    } else {
      try (RepoLock lock = RepoLock.acquire(requireDirectory())) {
        signHere(requireDirectory(), requireRole());
      }
    }
  }

  private void signHere(Path dir, RoleType staged) {
    String reference = requireKey();
    ImageRepository repository = ImageRepository.open(dir, context.clock());
    requireStageable(staged);
    Staging staging = new Staging(repository);
    byte[] message = staging.canonicalStaged(staged);
    repository.verifyTargetFiles();
    PrintWriter printer = context.terminal().out();
    try (KeySource keys = context.keySource()) {
      Signer signer = keys.signer(reference, SecretSource.parse(passphrase, "--passphrase"));
      staging.requireSigningKey(staged, signer.keyId());
      staging.requireUnexpired(staged);
      OnlineKeys online = online(dir, repository, keys);
      if (staging.wouldPublish(staged, signer.keyId())) {
        // Every passphrase this signature needs is checked before the question, not after it.
        online.load();
      }
      SignedMetadata<?> next = repository.staged(staged).orElseThrow();
      Signed previous = repository.published(staged).map(SignedMetadata::signed).orElse(null);
      Changes.between(previous, next.signed()).forEach(printer::println);
      printer.println("Signing with " + signer.description() + " (key " + signer.keyId() + ")");
      printer.flush();
      confirm("Sign " + staged.typeName() + " version " + next.signed().version() + "?");
      Signature signature = Signature.of(signer.keyId(), signer.sign(message));
      List<String> published = staging.addSignature(staged, signature, online);
      report(dir, staged, signer.keyId(), published);
    }
  }

  private void exportRequest(Path dir, RoleType staged, Path file) {
    ImageRepository repository = ImageRepository.open(dir, context.clock());
    requireStageable(staged);
    repository.verifyTargetFiles();
    SignedMetadata<?> next =
        repository
            .staged(staged)
            .orElseThrow(() ->
                new CliException(
                    staged.typeName()
                        + " has no staged version; "
                        + NextSteps.nextStep(repository.directory(), staged)));
    new Staging(repository).requireUnexpired(staged);
    Signed previous = repository.published(staged).map(SignedMetadata::signed).orElse(null);
    SigningRequest request =
        new SigningRequest(
            dir.toAbsolutePath().normalize().toString(),
            staged,
            next.signed().version(),
            sha256(next.canonicalSigned()),
            Changes.between(previous, next.signed()),
            repository.signingKeys(staged),
            next.signedJson(),
            next.signed());
    write(file, PrettyJson.encode(request.toJson()));
    PrintWriter printer = context.terminal().out();
    printer.println(
        "Wrote signing request for "
            + staged.typeName()
            + " version "
            + next.signed().version()
            + " to "
            + file
            + " (canonical sha256 "
            + sha256(next.canonicalSigned())
            + ")");
    printer.println(
        "On the offline machine: graft sign --request "
            + file
            + " --key KEY; then here: graft"
            + " sign "
            + dir
            + " --import "
            + defaultSignatureFile(file));
    printer.flush();
  }

  private void signRequest(Path file) {
    String reference = requireKey();
    SigningRequest request = SigningRequest.fromJson(readJson(file, "signing request"), file);
    RoleType staged = request.role();
    byte[] message = request.message();
    long version = request.version();
    Map<String, TufKey> roleKeys = request.keys();
    List<String> changes = request.changes();
    Signed signed = request.signed();
    PrintWriter printer = context.terminal().out();
    printer.println("Signing request " + file + " (canonical sha256 " + sha256(message) + ")");
    printer.println("Changes, as the requesting machine described them:");
    changes.forEach(l -> printer.println("  " + l));
    printer.println("Content to be signed (from the request itself):");
    Changes.between(null, signed).forEach(l -> printer.println("  " + l));
    try (KeySource keys = context.keySource()) {
      Signer signer = keys.signer(reference, SecretSource.parse(passphrase, "--passphrase"));
      if (!roleKeys.containsKey(signer.keyId())) {
        throw new CliException(
            "key "
                + signer.keyId()
                + " is not one of the keys of role "
                + staged.typeName()
                + " (its keys: "
                + String.join(", ", roleKeys.keySet())
                + "); sign with one of those");
      }
      printer.println("Signing with " + signer.description() + " (key " + signer.keyId() + ")");
      printer.flush();
      confirm("Sign " + staged.typeName() + " version " + version + "?");
      byte[] signature = signer.sign(message);
      JsonObject signatureJson =
          JsonObject.builder()
              .put("graft_signature", 1)
              .put("role", staged.typeName())
              .put("version", version)
              .put("canonical_sha256", sha256(message))
              .put("keyid", signer.keyId())
              .put("sig", HexFormat.of().formatHex(signature))
              .build();
      Path target = out != null ? out : defaultSignatureFile(file);
      write(target, PrettyJson.encode(signatureJson));
      printer.println(
          "Wrote signature to "
              + target
              + "; bring it back and run graft sign DIR"
              + " --import "
              + target);
      printer.flush();
    }
  }

  private void importSignature(Path dir, Path file) {
    JsonObject signatureJson = readJson(file, "signature file");
    RoleType staged;
    Signature signature;
    long version;
    String canonical;
    try {
      if (signatureJson.integer("graft_signature") != 1) {
        throw new CliException(file + " is a signature file of an unknown format version");
      }
      staged = new RoleConverter().convert(signatureJson.string("role"));
      version = signatureJson.integer("version");
      canonical = signatureJson.string("canonical_sha256");
      signature =
          new Signature(
              signatureJson.string("keyid"), signatureJson.string("sig"), JsonObject.empty());
    } catch (JsonFormatException | picocli.CommandLine.TypeConversionException e) {
      throw new CliException(file + " is not a valid signature file: " + e.getMessage(), e);
    }
    if (role != null && role != staged) {
      throw new CliException(file + " signs " + staged.typeName() + ", not " + role.typeName());
    }
    ImageRepository repository = ImageRepository.open(dir, context.clock());
    requireStageable(staged);
    SignedMetadata<?> next =
        repository
            .staged(staged)
            .orElseThrow(() ->
                new CliException(
                    staged.typeName()
                        + " has no staged version; "
                        + NextSteps.nextStep(repository.directory(), staged)));
    if (next.signed().version() != version || !canonical.equals(sha256(next.canonicalSigned()))) {
      throw new CliException(
          file
              + " signs "
              + staged.typeName()
              + " version "
              + version
              + " with canonical sha256 "
              + canonical
              + ", but the staged version is "
              + next.signed().version()
              + " with "
              + sha256(next.canonicalSigned())
              + ": it changed since the request was exported; export a new request");
    }
    try (KeySource keys = context.keySource()) {
      List<String> published =
          new Staging(repository).addSignature(staged, signature, online(dir, repository, keys));
      report(dir, staged, signature.keyId(), published);
    }
  }

  private void report(Path dir, RoleType staged, String keyId, List<String> published) {
    PrintWriter printer = context.terminal().out();
    printer.println("Added signature by key " + keyId + " to " + staged.typeName());
    if (!published.isEmpty()) {
      printer.println("Published " + String.join(", ", published));
    }
    StatusCommand.printSummary(ImageRepository.open(dir, context.clock()), printer);
    printer.flush();
  }

  private OnlineKeys online(Path dir, ImageRepository repository, KeySource keys) {
    SecretSource source =
        onlinePassphrase != null
            ? SecretSource.parse(onlinePassphrase, "--online-passphrase")
            : OnlineKeys.defaultPassphrase(context.environment());
    return new OnlineKeys(dir, repository.settings(), keys, source);
  }

  private void confirm(String question) {
    if (yes) {
      return;
    }
    Optional<String> answer = context.terminal().readLine(question + " [y/N] ");
    if (answer.isEmpty()) {
      throw new CliException(
          ExitCode.DECLINED,
          "not signed; nothing was changed: nobody answered the confirmation (standard input"
              + " is not a terminal, or it ended). Pass --yes to sign without asking");
    }
    String typed = answer.get().strip();
    if (!typed.equalsIgnoreCase("y") && !typed.equalsIgnoreCase("yes")) {
      // A pasted block feeds its next line to this question; say what was read.
      String read =
          typed.isEmpty()
              ? "an empty answer (no)"
              : "the answer '" + (typed.length() > 40 ? typed.substring(0, 40) + "…" : typed) + "'";
      throw new CliException(
          ExitCode.DECLINED,
          "not signed; nothing was changed: read "
              + read
              + ", not y. Answer y to sign, or pass --yes to sign without asking (scripts,"
              + " pasted command blocks)");
    }
  }

  private Path requireDirectory() {
    if (directory == null) {
      throw new CliException(ExitCode.USAGE, "name the repository: graft sign DIR ROLE --key KEY");
    }
    return directory;
  }

  private RoleType requireRole() {
    if (role == null) {
      throw new CliException(
          ExitCode.USAGE, "name the role to sign (root or targets): graft sign DIR ROLE --key KEY");
    }
    return role;
  }

  private String requireKey() {
    if (key == null) {
      throw new CliException(
          ExitCode.USAGE, "name the signing key with --key (a .pem file or a pkcs11: URI)");
    }
    return key;
  }

  private static void requireStageable(RoleType role) {
    if (role == RoleType.SNAPSHOT || role == RoleType.TIMESTAMP) {
      throw new CliException(
          role.typeName()
              + " is signed by its online key whenever root or targets is published; to re-sign"
              + " it now run `graft repo refresh-timestamp DIR`");
    }
  }

  static Path defaultSignatureFile(Path request) {
    String name = request.getFileName().toString();
    String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    return request.resolveSibling(base + ".sig.json");
  }

  private static JsonObject readJson(Path file, String what) {
    byte[] bytes;
    try {
      if (Files.size(file) > JsonParser.DEFAULT_MAX_BYTES) {
        throw new CliException(file + " is too large to be a " + what);
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return JsonParser.withDefaults().parseObject(bytes);
    } catch (JsonFormatException e) {
      throw new CliException(file + " is not a valid " + what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a request or signature file in one step, creating its directory (a folder on the
   * transfer medium): the other machine never reads half a file.
   */
  private static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      AtomicFile.write(file, bytes);
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  static String sha256(byte[] bytes) {
    return Digests.sha256Hex(bytes);
  }
}
