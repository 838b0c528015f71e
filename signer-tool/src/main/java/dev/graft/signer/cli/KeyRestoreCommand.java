package dev.graft.signer.cli;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.pkcs11.ObjectQuery;
import dev.graft.pkcs11.Pkcs11Uri;
import dev.graft.pkcs11.SecretSource;
import dev.graft.pkcs11.TokenCompositeKey;
import dev.graft.pkcs11.TokenConnection;
import dev.graft.pkcs11.TokenKeyPair;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.keys.KeyBackup;
import dev.graft.signer.keys.NewFiles;
import dev.graft.signer.keys.NewFiles.NewFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft key restore FILE --out FILE | --token URI}: a key back from its backup. */
@Command(
    name = "restore",
    header = "Restores a key from a backup made by `graft key backup`.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Checks the backup's checksum, decrypts it with the backup passphrase and checks that it"
          + " holds the key its key id names, before anything is written. A wrong passphrase or"
          + " a damaged backup is refused and nothing is written.",
      "A key file backup is restored with --out FILE: a new encrypted key file (new passphrase"
          + " from --passphrase, asked twice at a prompt) and FILE.pub.json.",
      "A token key's ML-DSA half is restored with --token URI: object= names the Ed25519 key"
          + " pair the token vendor's backup brought back (default: the label in the backup); a"
          + " new wrapping key is generated in the token and the half stored under it.",
      "--expect-key-id refuses a backup of any other key (a full id or a prefix of 8+ digits).",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft key restore /media/backup-1/alice.backup.json --out keys/alice.pem \\",
      "      --expect-key-id 3f2a9c01",
      "  graft key restore /media/backup-1/root-1.mldsa.backup.json \\",
      "      --token 'pkcs11:token=root-new;object=root-1?pin-source=env:PIN'"
    })
final class KeyRestoreCommand implements Runnable {
  private final CliContext context;

  @Parameters(index = "0", paramLabel = "FILE", description = "The backup file.")
  private Path backupFile = Path.of("");

  @ArgGroup(exclusive = true, multiplicity = "1")
  private Where where = new Where();

  static final class Where {
    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "For a key file backup: the new key file (.pem); FILE.pub.json beside it.")
    @Nullable Path out;

    @Option(
        names = "--token",
        paramLabel = "URI",
        description = "For a token key's ML-DSA half: the token holding its Ed25519 half.")
    @Nullable String token;
  }

  @Option(
      names = "--backup-passphrase",
      paramLabel = "SOURCE",
      description = "The backup's passphrase: prompt, file:PATH or env:NAME (default: prompt).")
  private String backupPassphrase = "prompt";

  @Option(
      names = "--passphrase",
      paramLabel = "SOURCE",
      description =
          "For --out: the restored key file's new passphrase: prompt (asked twice),"
              + " file:PATH or env:NAME (default: prompt).")
  private String passphrase = "prompt";

  @Option(
      names = "--expect-key-id",
      paramLabel = "ID",
      description = "Refuse unless the backup holds this key (full id or 8+ digit prefix).")
  private @Nullable String expectKeyId;

  @Option(names = "--json", description = "Machine-readable output.")
  private boolean json;

  @Option(
      names = "--kdf-iterations",
      hidden = true,
      description = "PBKDF2 iterations for the restored key file (tests use fewer).")
  private int kdfIterations = PrivateKeyFile.DEFAULT_ITERATIONS;

  KeyRestoreCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    KeyBackup backup =
        KeyBackup.read(KeyBackupCommand.readKeyFile(backupFile), backupFile.toString());
    String keyId = backup.key().keyId();
    if (expectKeyId != null) {
      String expected = expectKeyId.toLowerCase(Locale.ROOT);
      if (expected.length() < 8 || !keyId.startsWith(expected)) {
        throw new CliException(
            backupFile
                + " holds key "
                + keyId
                + ", not "
                + expectKeyId
                + (expected.length() < 8 ? " (give at least 8 digits of the id)" : "")
                + "; nothing was restored");
      }
    }
    String restoredTo;
    @Nullable Path publicPath = null;
    if (where.out != null) {
      Path out = where.out;
      publicPath = KeyCommand.publicKeyFileFor(out);
      restoredTo = toFile(backup, out, publicPath);
    } else {
      restoredTo = toToken(backup, Pkcs11Uri.parse(requireToken()));
    }
    PrintWriter printer = context.terminal().out();
    if (json) {
      JsonObject.Builder result =
          JsonObject.builder()
              .put("key_id", keyId)
              .put("kind", backup.kind().word())
              .put("restored_to", restoredTo);
      if (publicPath != null) {
        result.put("public_key_file", publicPath.toString());
      }
      KeyCommand.printJson(printer, result.build());
      return;
    }
    printer.println("Restored key " + keyId + " (backup of " + backup.created() + ")");
    printer.println("  to:         " + restoredTo);
    if (publicPath != null) {
      printer.println("  public key: " + publicPath);
    }
    printer.println("Compare the key id with the one recorded at the ceremony.");
    printer.flush();
  }

  private String requireToken() {
    String token = where.token;
    if (token == null) {
      throw new IllegalStateException("picocli requires --out or --token");
    }
    return token;
  }

  private String toFile(KeyBackup backup, Path out, Path publicPath) {
    if (backup.kind() != KeyBackup.Kind.KEY_FILE) {
      throw new CliException(
          backupFile
              + " holds the ML-DSA half of token key '"
              + backup.tokenLabel()
              + "', which is restored onto the token holding its Ed25519 half: use --token");
    }
    if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pem")) {
      throw new CliException("--out " + out + ": a private key file's name ends in .pem");
    }
    NewFiles.requireAbsent(List.of(out, publicPath));
    SoftwareKey key =
        backup.decryptKeyFile(
            context
                .secrets()
                .read(
                    SecretSource.parse(backupPassphrase, "--backup-passphrase"),
                    "the backup passphrase of " + backupFile));
    char[] secret =
        NewPassphrase.read(
            context,
            SecretSource.parse(passphrase, "--passphrase"),
            "the passphrase for restored key file " + out);
    byte[] encrypted;
    try {
      encrypted = PrivateKeyFile.encrypt(key, secret, kdfIterations);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage() + "; nothing was written", e);
    }
    NewFiles.createAll(
        List.of(
            new NewFile(out, encrypted, true),
            new NewFile(publicPath, PublicKeyFile.encode(key.publicKey()), false)));
    return out.toString();
  }

  private String toToken(KeyBackup backup, Pkcs11Uri uri) {
    if (backup.kind() != KeyBackup.Kind.TOKEN_MLDSA_HALF) {
      throw new CliException(
          backupFile
              + " is a key file backup; graft does not import software keys into tokens (they"
              + " would be extractable copies, not token keys): restore it with --out FILE.pem");
    }
    String label = uri.object().orElse(backup.tokenLabel());
    byte[] seed =
        backup.decryptMlDsaSeed(
            context
                .secrets()
                .read(
                    SecretSource.parse(backupPassphrase, "--backup-passphrase"),
                    "the backup passphrase of " + backupFile));
    try (TokenConnection connection = KeyCommand.openToken(context, uri)) {
      ObjectQuery query = ObjectQuery.all().withLabel(label);
      if (uri.id().isPresent()) {
        query = query.withId(uri.id().get());
      }
      TokenKeyPair pair = connection.session().findKeyPair(query);
      TokenCompositeKey restored =
          TokenCompositeKey.restoreMlDsaHalf(connection.session(), pair, seed, backup.key());
      return "token '"
          + connection.token().label()
          + "', composite key '"
          + restored.label()
          + "' (id "
          + HexFormat.of().formatHex(restored.id())
          + ")";
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }
}
