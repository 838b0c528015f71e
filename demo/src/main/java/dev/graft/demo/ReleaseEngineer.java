package dev.graft.demo;

import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tufclient.AtomicFile;
import dev.graft.signer.CliContext;
import dev.graft.signer.Graft;
import dev.graft.signer.Terminal;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.PublishReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The release engineer's side: the {@code graft} command, run in this process exactly as it would
 * be typed ({@code repo init}, {@code release add}, {@code sign}). Keys are software keys in
 * encrypted PEM files under {@code repo/keys/}, their passphrase in {@code passphrase.txt} next to
 * the repository (demo only: real keys live on tokens or offline machines).
 */
final class ReleaseEngineer {
  static final String HARDWARE = "gw-x86-64";
  private static final String PASSPHRASE_VARIABLE = "GRAFT_DEMO_PASSPHRASE";

  private final Path repository;
  private final Map<String, String> environment;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private ReleaseEngineer(Path repository, String passphrase) {
    this.repository = repository;
    this.environment =
        Map.of(PASSPHRASE_VARIABLE, passphrase, "GRAFT_ONLINE_PASSPHRASE", passphrase);
  }

  /**
   * Creates a hybrid image repository in {@code repository} with {@code graft repo init}: four
   * composite ML-DSA-65 + Ed25519 keys, root version 1, empty targets.
   *
   * @return the engineer, and the lines {@code graft} printed
   */
  static ReleaseEngineer init(Path repository, List<String> printed) throws IOException {
    byte[] secret = new byte[18];
    new SecureRandom().nextBytes(secret);
    String passphrase = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Path passphraseFile = repository.resolveSibling("passphrase.txt");
    Files.createDirectories(passphraseFile.getParent());
    Path temp = passphraseFile.resolveSibling("passphrase.txt.tmp");
    writeOwnerOnly(temp, passphrase + "\n");
    AtomicFile.moveInto(temp, passphraseFile);
    ReleaseEngineer engineer = new ReleaseEngineer(repository, passphrase);
    printed.addAll(engineer.graft("repo", "init", repository.toString(), passphraseOption()));
    return engineer;
  }

  /** {@code graft release add REPO BUNDLE --hardware gw-x86-64 --chunk-size N}. */
  List<String> addRelease(Path bundle, int chunkSize) {
    return graft(
        "release",
        "add",
        repository.toString(),
        bundle.toString(),
        "--hardware",
        HARDWARE,
        "--chunk-size",
        Integer.toString(chunkSize));
  }

  /** {@code graft sign REPO targets --key keys/targets-1.pem --yes}: publishes the release. */
  List<String> signTargets() {
    return graft(
        "sign",
        repository.toString(),
        "targets",
        "--key",
        repository.resolve("keys/targets-1.pem").toString(),
        passphraseOption(),
        "--yes");
  }

  /**
   * A release on the broker: the target entry the signed metadata gives it, the timestamp that
   * covers it, what {@code graft sign} printed and what the publish sent.
   */
  @SuppressWarnings("ArrayRecordComponent") // never compared
  record Released(TargetFile target, byte[] timestamp, List<String> signed, PublishReport report) {}

  /**
   * {@code graft release add}, {@code graft sign targets}, then every metadata file and chunk of
   * the repository published to the broker (chunks already there are skipped, by the journal).
   */
  Released release(Path bundle, int chunkSize, MqttConnection connection, Path publishJournal)
      throws IOException {
    addRelease(bundle, chunkSize);
    List<String> signed = signTargets();
    ImageRepositoryFiles files = ImageRepositoryFiles.read(repository, chunkSize);
    PublishReport report = files.publish(connection, publishJournal);
    return new Released(
        files.target(bundle.getFileName().toString()), files.timestamp(), signed, report);
  }

  /**
   * {@code graft audit verify DIR --status STATUS --identity-key KEY}: an operator checking a
   * gateway's audit export against the head in its signed status report.
   */
  List<String> auditVerify(Path export, Path status, Path identityKey) {
    return graft(
        "audit",
        "verify",
        export.toString(),
        "--status",
        status.toString(),
        "--identity-key",
        identityKey.toString());
  }

  Path repository() {
    return repository;
  }

  /** The published trust anchor a gateway is given at commissioning. */
  byte[] rootAnchor() throws IOException {
    return Files.readAllBytes(repository.resolve("metadata/1.root.json"));
  }

  /**
   * Creates {@code file} readable by its owner only from its first byte: the permissions are set at
   * creation, not after writing, so no other user can open it in between. A stale file from an
   * interrupted run is removed first, since its permissions are unknown.
   */
  static void writeOwnerOnly(Path file, String secret) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    Files.writeString(file, secret, StandardCharsets.UTF_8);
  }

  private static String passphraseOption() {
    return "--passphrase=env:" + PASSPHRASE_VARIABLE;
  }

  /** Runs one {@code graft} command line; a non-zero exit is a demo failure naming the command. */
  private List<String> graft(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Terminal terminal =
        new Terminal.Streams(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            new ByteArrayInputStream(new byte[0]),
            false,
            prompt -> Optional.empty());
    int code = Graft.run(new CliContext(terminal, environment, Clock.systemUTC()), args);
    if (code != 0) {
      throw new IllegalStateException(
          "graft " + String.join(" ", args) + " exited with " + code + ":\n" + err + out);
    }
    List<String> lines = new ArrayList<>();
    out.toString().lines().filter(l -> !l.isBlank()).forEach(lines::add);
    return lines;
  }
}
