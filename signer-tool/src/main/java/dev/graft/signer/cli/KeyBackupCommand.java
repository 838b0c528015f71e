package dev.graft.signer.cli;

import dev.graft.bundle.KeyFileException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.pkcs11.KeyRef;
import dev.graft.pkcs11.ObjectNotFoundException;
import dev.graft.pkcs11.ObjectQuery;
import dev.graft.pkcs11.Pkcs11Uri;
import dev.graft.pkcs11.SecretSource;
import dev.graft.pkcs11.TokenCompositeKey;
import dev.graft.pkcs11.TokenConnection;
import dev.graft.pkcs11.TokenKeyPair;
import dev.graft.pkcs11.TokenSession;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.keys.KeyBackup;
import dev.graft.signer.keys.NewFiles;
import dev.graft.signer.keys.NewFiles.NewFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft key backup KEY --out FILE}: an offline backup of a key. */
@Command(
    name = "backup",
    header = "Writes an offline backup of a key, under a separate backup passphrase.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "For a key file (.pem): the whole key, re-encrypted under the backup passphrase, with its"
          + " key id and a checksum, so `graft key restore` can prove it restores the same key.",
      "For a composite key on a token: its ML-DSA-65 half (the software half the token keeps"
          + " wrapped). The Ed25519 half cannot leave the token: back it up with the token"
          + " vendor's own means; `graft key restore --token` joins the two again.",
      "ECDSA P-256 token keys are not extractable and are refused: use the vendor's backup.",
      "The backup passphrase must differ from the key file's; typed at a prompt it is asked"
          + " twice. Store the backup and its passphrase apart (docs/key-ceremony.md).",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft key backup keys/alice.pem --out /media/backup-1/alice.backup.json",
      "  graft key backup 'pkcs11:token=root;object=root-1?pin-source=env:PIN' \\",
      "      --out /media/backup-1/root-1.mldsa.backup.json"
    })
final class KeyBackupCommand implements Runnable {
  private static final int MAX_KEY_FILE_BYTES = 64 * 1024;

  private final CliContext context;

  @Parameters(index = "0", paramLabel = "KEY", description = "A .pem key file or a pkcs11: URI.")
  private String key = "";

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The new backup file.")
  private Path out = Path.of("");

  @Option(
      names = "--passphrase",
      paramLabel = "SOURCE",
      description = "The key file's passphrase: prompt, file:PATH or env:NAME (default: prompt).")
  private String passphrase = "prompt";

  @Option(
      names = "--backup-passphrase",
      paramLabel = "SOURCE",
      description =
          "The backup's own passphrase: prompt (asked twice), file:PATH or env:NAME"
              + " (default: prompt).")
  private String backupPassphrase = "prompt";

  @Option(names = "--json", description = "Machine-readable output.")
  private boolean json;

  @Option(
      names = "--kdf-iterations",
      hidden = true,
      description = "PBKDF2 iterations for the backup (tests use fewer).")
  private int kdfIterations = PrivateKeyFile.DEFAULT_ITERATIONS;

  KeyBackupCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    NewFiles.requireAbsent(List.of(out));
    byte[] backup =
        switch (KeyRef.parse(key)) {
          case KeyRef.FileKeyRef file -> fromFile(file);
          case KeyRef.Pkcs11KeyRef token -> fromToken(token.uri());
        };
    KeyBackup written = KeyBackup.read(backup, out.toString());
    NewFiles.createAll(List.of(new NewFile(out, backup, true)));
    PrintWriter printer = context.terminal().out();
    if (json) {
      KeyCommand.printJson(
          printer,
          JsonObject.builder()
              .put("key_id", written.key().keyId())
              .put("kind", written.kind().word())
              .put("backup_file", out.toString())
              .put("token_label", written.tokenLabel())
              .build());
      return;
    }
    printer.println(
        "Wrote backup " + out + " (" + written.kind().word() + ") of key " + written.key().keyId());
    printer.println(
        "Record this key id with the backup; `graft key restore` prints it again and checks it.");
    if (written.kind() == KeyBackup.Kind.TOKEN_MLDSA_HALF) {
      printer.println(
          "This backup holds only the ML-DSA-65 half: back up the Ed25519 half ('"
              + written.tokenLabel()
              + "') with the token vendor's backup, or the key cannot be restored.");
    }
    printer.flush();
  }

  private byte[] fromFile(KeyRef.FileKeyRef file) {
    if (!file.isPrivate()) {
      throw new CliException(
          file.path() + " is a public key file; a backup is of the private key (.pem)");
    }
    byte[] encrypted = readKeyFile(file.path());
    char[] keyPassphrase =
        context
            .secrets()
            .read(
                SecretSource.parse(passphrase, "--passphrase"),
                "the passphrase of key file " + file);
    char[] backupSecret = null;
    try {
      backupSecret =
          NewPassphrase.read(
              context,
              SecretSource.parse(backupPassphrase, "--backup-passphrase"),
              "the new backup passphrase for " + file);
      if (NewPassphrase.same(keyPassphrase, backupSecret)) {
        throw new CliException(
            "the backup passphrase is the key file's passphrase; use a separate one, so that the"
                + " backup, stored elsewhere, does not fall with the key file's passphrase");
      }
      SoftwareKey software =
          PrivateKeyFile.decrypt(
              encrypted, Arrays.copyOf(keyPassphrase, keyPassphrase.length), file.toString());
      try {
        return KeyBackup.ofKeyFile(
            software,
            Arrays.copyOf(backupSecret, backupSecret.length),
            kdfIterations,
            context.clock().instant());
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage() + "; nothing was written", e);
      }
    } finally {
      Arrays.fill(keyPassphrase, '\0');
      if (backupSecret != null) {
        Arrays.fill(backupSecret, '\0');
      }
    }
  }

  private byte[] fromToken(Pkcs11Uri uri) {
    try (TokenConnection connection = KeyCommand.openToken(context, uri)) {
      TokenSession session = connection.session();
      TokenKeyPair pair = connection.keyPair();
      Optional<TokenCompositeKey> composite = Optional.empty();
      if (pair.type() == KeyType.ED25519) {
        try {
          composite =
              Optional.of(
                  TokenCompositeKey.find(
                      session, ObjectQuery.all().withLabel(pair.label()).withId(pair.id())));
        } catch (ObjectNotFoundException plain) {
          // A plain Ed25519 key pair (no wrapped ML-DSA half): refused below like any token key.
        }
      }
      if (composite.isEmpty()) {
        throw new CliException(
            "'"
                + pair.label()
                + "' on token '"
                + connection.token().label()
                + "' is an "
                + pair.type().keyType()
                + " key generated inside the token and not extractable, so graft cannot back it"
                + " up; use the token vendor's backup (an HSM's backup or cloning, SoftHSM2: a copy"
                + " of its token directory), or keep a second key registered in the role");
      }
      TokenCompositeKey found = composite.get();
      char[] backupSecret =
          NewPassphrase.read(
              context,
              SecretSource.parse(backupPassphrase, "--backup-passphrase"),
              "the new backup passphrase for the ML-DSA half of '" + found.label() + "'");
      byte[] seed = found.exportMlDsaSeed(session);
      try {
        return KeyBackup.ofTokenMlDsaHalf(
            found.publicKey(),
            found.label(),
            HexFormat.of().formatHex(found.id()),
            seed,
            backupSecret,
            kdfIterations,
            context.clock().instant());
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage() + "; nothing was written", e);
      } finally {
        Arrays.fill(seed, (byte) 0);
        Arrays.fill(backupSecret, '\0');
      }
    }
  }

  static byte[] readKeyFile(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      byte[] bytes = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
      if (bytes.length > MAX_KEY_FILE_BYTES) {
        throw new KeyFileException(path + " is larger than any key file or backup graft writes");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new KeyFileException("cannot read " + path + ": there is no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
