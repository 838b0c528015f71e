package dev.graft.signer.cli;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signed;
import dev.graft.pkcs11.KeyRef;
import dev.graft.pkcs11.Pkcs11Uri;
import dev.graft.pkcs11.SecretSource;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.KeySource;
import dev.graft.signer.repo.ImageRepository;
import dev.graft.signer.repo.RepoLayout;
import dev.graft.signer.repo.RepoSettings;
import dev.graft.signer.repo.Staging;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft repo init DIR}: a new image repository. */
@Command(
    name = "init",
    header = "Creates a new image repository.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Creates a new image repository in DIR (standard TUF layout, consistent snapshots):"
          + " metadata/ and targets/ are what a web server serves; staged/ holds metadata"
          + " waiting for signatures; keys/ holds generated demo keys. Never serve keys/.",
      "Root and targets use composite ML-DSA-65+Ed25519 keys unless --classical (Ed25519"
          + " only, readable by python-tuf). Roles without --*-key get newly generated key"
          + " files in DIR/keys, encrypted with --passphrase. Private keys given (.pem,"
          + " pkcs11:) sign version 1 now; public keys (.pub.json) sign later with `graft sign`.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  # demo: every key generated, one passphrase from the environment",
      "  graft repo init repo/ --passphrase env:GRAFT_PASSPHRASE",
      "  # root on a token; 2-of-3 targets holders give public keys only",
      "  graft repo init repo/ \\",
      "      --root-key 'pkcs11:token=root;object=root-1?pin-source=env:PIN' \\",
      "      --targets-key alice.pub.json --targets-key bob.pub.json \\",
      "      --targets-key carol.pub.json --targets-threshold 2 \\",
      "      --snapshot-key online/snapshot.pem --timestamp-key online/timestamp.pem",
      "  graft repo init repo/ --classical --targets-expires 30d"
    })
final class RepoInitCommand implements Runnable {
  private final CliContext context;

  @Parameters(index = "0", paramLabel = "DIR", description = "The new repository's directory.")
  private Path directory = Path.of(".");

  @Option(names = "--classical", description = "Ed25519 keys only (python-tuf can read it).")
  private boolean classical;

  @Option(names = "--root-key", paramLabel = "KEY", description = "A root key (repeatable).")
  private List<String> rootKeys = new ArrayList<>();

  @Option(names = "--targets-key", paramLabel = "KEY", description = "A targets key (repeatable).")
  private List<String> targetsKeys = new ArrayList<>();

  @Option(
      names = "--snapshot-key",
      paramLabel = "KEY",
      description = "The online snapshot key: a private key (.pem or pkcs11:).")
  private @org.jspecify.annotations.Nullable String snapshotKey;

  @Option(
      names = "--timestamp-key",
      paramLabel = "KEY",
      description = "The online timestamp key: a private key (.pem or pkcs11:).")
  private @org.jspecify.annotations.Nullable String timestampKey;

  @Option(
      names = "--root-threshold",
      paramLabel = "N",
      description = "Root signatures required (default: 1).")
  private int rootThreshold = 1;

  @Option(
      names = "--targets-threshold",
      paramLabel = "N",
      description = "Targets signatures required (default: 1).")
  private int targetsThreshold = 1;

  @Option(
      names = "--root-expires",
      paramLabel = "DURATION",
      converter = Lifetime.class,
      description = "Root lifetime (default: 365d).")
  private Duration rootExpires = Duration.ofDays(365);

  @Option(
      names = "--targets-expires",
      paramLabel = "DURATION",
      converter = Lifetime.class,
      description = "Targets lifetime (default: 90d).")
  private Duration targetsExpires = Duration.ofDays(90);

  @Option(
      names = "--snapshot-expires",
      paramLabel = "DURATION",
      converter = Lifetime.class,
      description = "Snapshot lifetime (default: 7d).")
  private Duration snapshotExpires = Duration.ofDays(7);

  @Option(
      names = "--timestamp-expires",
      paramLabel = "DURATION",
      converter = Lifetime.class,
      description = "Timestamp lifetime (default: 1d).")
  private Duration timestampExpires = Duration.ofDays(1);

  @Option(
      names = "--passphrase",
      paramLabel = "SOURCE",
      description =
          "Passphrase for generated key files and for .pem keys given: prompt, file:PATH or"
              + " env:NAME (default: prompt).")
  private String passphrase = "prompt";

  @Option(
      names = "--kdf-iterations",
      hidden = true,
      description = "PBKDF2 iterations for generated key files (tests use fewer).")
  private int kdfIterations = PrivateKeyFile.DEFAULT_ITERATIONS;

  RepoInitCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    PrintWriter out = context.terminal().out();
    SecretSource passphraseSource = SecretSource.parse(passphrase, "--passphrase");
    KeyType type = classical ? KeyType.ED25519 : KeyType.MLDSA65_ED25519;
    Map<RoleType, Duration> lifetimes = new EnumMap<>(RoleType.class);
    lifetimes.put(RoleType.ROOT, rootExpires);
    lifetimes.put(RoleType.TARGETS, targetsExpires);
    lifetimes.put(RoleType.SNAPSHOT, snapshotExpires);
    lifetimes.put(RoleType.TIMESTAMP, timestampExpires);
    requireThreshold("root", rootThreshold, rootKeys);
    requireThreshold("targets", targetsThreshold, targetsKeys);
    ImageRepository.requireFresh(directory);

    Map<RoleType, List<TufKey>> publicKeys = new EnumMap<>(RoleType.class);
    List<Signer> signers = new ArrayList<>();
    Map<RoleType, List<String>> online = new EnumMap<>(RoleType.class);
    Map<Path, byte[]> generatedFiles = new LinkedHashMap<>();
    try (KeySource keys = context.keySource()) {
      char[] generationPassphrase = null;
      try {
        Map<RoleType, List<String>> given = new EnumMap<>(RoleType.class);
        given.put(RoleType.ROOT, rootKeys);
        given.put(RoleType.TARGETS, targetsKeys);
        given.put(RoleType.SNAPSHOT, snapshotKey == null ? List.of() : List.of(snapshotKey));
        given.put(RoleType.TIMESTAMP, timestampKey == null ? List.of() : List.of(timestampKey));
        for (RoleType role : RoleType.values()) {
          List<TufKey> roleKeys = new ArrayList<>();
          List<String> refs = given.getOrDefault(role, List.of());
          boolean onlineRole = role == RoleType.SNAPSHOT || role == RoleType.TIMESTAMP;
          if (refs.isEmpty()) {
            int count =
                role == RoleType.ROOT
                    ? rootThreshold
                    : role == RoleType.TARGETS ? targetsThreshold : 1;
            if (generationPassphrase == null) {
              generationPassphrase =
                  context.secrets().read(passphraseSource, "the passphrase for the new key files");
            }
            for (int i = 1; i <= count; i++) {
              SoftwareKey key = SoftwareKey.generate(type);
              String name = onlineRole ? role.typeName() : role.typeName() + "-" + i;
              Path pem = directory.resolve("keys").resolve(name + ".pem");
              generatedFiles.put(
                  pem,
                  PrivateKeyFile.encrypt(
                      key,
                      Arrays.copyOf(generationPassphrase, generationPassphrase.length),
                      kdfIterations));
              generatedFiles.put(
                  directory.resolve("keys").resolve(name + ".pub.json"),
                  PublicKeyFile.encode(key.publicKey()));
              roleKeys.add(key.publicKey());
              signers.add(key);
              if (onlineRole) {
                online.put(role, List.of("keys/" + name + ".pem"));
              }
            }
          } else {
            for (String ref : refs) {
              KeyRef parsed = KeyRef.parse(ref);
              boolean isPrivate = !(parsed instanceof KeyRef.FileKeyRef file) || file.isPrivate();
              if (onlineRole && !isPrivate) {
                throw new CliException(
                    "--"
                        + role.typeName()
                        + "-key "
                        + ref
                        + " is a public key file; the online "
                        + role.typeName()
                        + " key signs unattended, so give its private key (.pem"
                        + " or pkcs11: URI)");
              }
              TufKey publicKey;
              if (isPrivate) {
                Signer signer = keys.signer(ref, passphraseSource);
                signers.add(signer);
                publicKey = signer.publicKey();
              } else {
                publicKey = keys.publicKeyFile(ref);
              }
              requireType(role, ref, publicKey);
              roleKeys.add(publicKey);
              if (onlineRole) {
                online.put(role, List.of(onlineReference(parsed)));
              }
            }
          }
          publicKeys.put(role, roleKeys);
        }
      } finally {
        if (generationPassphrase != null) {
          Arrays.fill(generationPassphrase, '\0');
        }
      }

      Map<String, TufKey> keyMap = new LinkedHashMap<>();
      Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
      for (RoleType role : RoleType.values()) {
        List<String> ids = new ArrayList<>();
        for (TufKey key : publicKeys.getOrDefault(role, List.of())) {
          keyMap.put(key.keyId(), key);
          if (ids.contains(key.keyId())) {
            throw new CliException(
                "key "
                    + key.keyId()
                    + " is given twice for role "
                    + role.typeName()
                    + "; each key holder counts once, give distinct keys");
          }
          ids.add(key.keyId());
        }
        int threshold =
            role == RoleType.ROOT ? rootThreshold : role == RoleType.TARGETS ? targetsThreshold : 1;
        roles.put(role, Role.of(ids, threshold));
      }
      RepoSettings settings = new RepoSettings(classical, lifetimes, online);
      Root root =
          new Root(
              Signed.SPEC_VERSION,
              1,
              context
                  .clock()
                  .instant()
                  .plus(rootExpires)
                  .truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
              true,
              keyMap,
              roles,
              JsonObject.empty());
      for (Map.Entry<Path, byte[]> file : generatedFiles.entrySet()) {
        writeKeyFile(file.getKey(), file.getValue());
      }
      ImageRepository repository =
          Staging.createRepository(
              directory,
              settings,
              root,
              signers,
              (role, ids) -> signers.stream().filter(s -> ids.contains(s.keyId())).toList(),
              context.clock());
      out.println(
          "Created "
              + (classical ? "classical (Ed25519) " : "hybrid (ML-DSA-65+Ed25519) ")
              + "image repository "
              + directory);
      if (!generatedFiles.isEmpty()) {
        out.println(
            "Generated key files in "
                + directory.resolve("keys")
                + " (encrypted; keep them offline, never serve keys/)");
      }
      for (RoleType role : RoleType.values()) {
        Role entry = root.role(role);
        out.println(
            "  "
                + role.typeName()
                + ": "
                + entry.threshold()
                + " of "
                + entry.keyIds().size()
                + " key(s) "
                + String.join(
                    ", ", entry.keyIds().stream().map(id -> id.substring(0, 12)).toList()));
      }
      StatusCommand.printSummary(repository, out);
      out.println(
          "Serve "
              + new RepoLayout(directory).metadataDirectory()
              + " and "
              + new RepoLayout(directory).targetsDirectory()
              + "; give gateways metadata/1.root.json as"
              + " their trust anchor.");
      out.flush();
    }
  }

  private void requireThreshold(String role, int threshold, List<String> given) {
    if (threshold < 1) {
      throw new CliException("--" + role + "-threshold must be at least 1");
    }
    if (!given.isEmpty() && threshold > given.size()) {
      throw new CliException(
          "--"
              + role
              + "-threshold "
              + threshold
              + " needs at least "
              + threshold
              + " --"
              + role
              + "-key options, but "
              + given.size()
              + " were given");
    }
  }

  private void requireType(RoleType role, String ref, TufKey key) {
    boolean composite = key.type().map(KeyType::isComposite).orElse(false);
    boolean offline = role == RoleType.ROOT || role == RoleType.TARGETS;
    if (classical && composite) {
      throw new CliException(
          ref
              + " is a composite key, but --classical repositories use Ed25519 keys only (so"
              + " python-tuf can read them); give an Ed25519 key or drop --classical");
    }
    if (!classical && offline && !composite) {
      throw new CliException(
          ref
              + " is a "
              + key.keyType()
              + " key; "
              + role.typeName()
              + " keys of a hybrid"
              + " repository must be composite mldsa65-ed25519 (gateways require hybrid"
              + " signatures); give a composite key, or use --classical for an Ed25519-only"
              + " repository");
    }
  }

  /** How the settings file names an online key: relative to the repository when inside it. */
  private String onlineReference(KeyRef ref) {
    return switch (ref) {
      case KeyRef.Pkcs11KeyRef token -> {
        Pkcs11Uri uri = token.uri();
        if (uri.pinValue().isPresent()) {
          throw new CliException(
              "the online key URI carries a pin-value, which would be stored in "
                  + RepoSettings.FILE_NAME
                  + "; use pin-source=file:/path or pin-source=env:NAME instead");
        }
        yield uri.toString();
      }
      case KeyRef.FileKeyRef file -> {
        Path absolute = file.path().toAbsolutePath().normalize();
        Path root = directory.toAbsolutePath().normalize();
        yield absolute.startsWith(root)
            ? root.relativize(absolute).toString()
            : absolute.toString();
      }
    };
  }

  private static void writeKeyFile(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      boolean secret = file.getFileName().toString().endsWith(".pem");
      // Created with its final permissions, so a private key is never readable by others.
      Files.createFile(
          file,
          PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
