package dev.graft.signer.cli;

import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.pkcs11.PinSource;
import dev.graft.pkcs11.Pkcs11Uri;
import dev.graft.pkcs11.TokenConnection;
import dev.graft.signer.CliContext;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code graft key …}: making, listing, exporting and backing up signing keys. */
@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    header = "Generates, lists, exports and backs up keys.",
    description = {
      "Keys for the roles of an image repository: composite ML-DSA-65+Ed25519 (the default for"
          + " root and targets), Ed25519 (classical repositories) and ECDSA P-256 (tokens, TLS),"
          + " in encrypted key files or on PKCS#11 tokens. The key ceremony that uses these"
          + " commands is in docs/key-ceremony.md.",
      ""
    },
    subcommands = {
      KeyGenerateCommand.class,
      KeyListCommand.class,
      KeyExportCommand.class,
      KeyCsrCommand.class,
      KeyBackupCommand.class,
      KeyRestoreCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft key generate --out alice.pem        # composite; asks the passphrase",
      "  graft key generate --type ecdsa-p256 --pub alice-tls.pub.json \\",
      "      --token 'pkcs11:token=release;object=alice-tls?pin-source=env:PIN'",
      "  graft key list --token 'pkcs11:token=release?pin-source=env:PIN'",
      "  graft key export alice.pem --format pem --out alice.spki.pem",
      "  graft key csr alice-tls.pem --subject 'CN=alice,O=Example Ltd'",
      "  graft key backup alice.pem --out /media/usb/alice.backup.json",
      "  graft key restore /media/usb/alice.backup.json --out alice.pem"
    })
public final class KeyCommand implements Runnable {
  private final CliContext context;

  KeyCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(context.terminal().out());
  }

  /** Opens the token a URI names, with the PIN from its pin-source or a prompt. */
  static TokenConnection openToken(CliContext context, Pkcs11Uri uri) {
    return TokenConnection.open(
        uri, new PinSource(context.secrets()), context.defaultPkcs11Module().orElse(null));
  }

  /** For a private key file {@code name.pem} (or {@code name}): {@code name.pub.json}. */
  static Path publicKeyFileFor(Path privateKeyFile) {
    String name = privateKeyFile.getFileName().toString();
    String base =
        name.toLowerCase(Locale.ROOT).endsWith(".pem")
            ? name.substring(0, name.length() - 4)
            : name;
    return privateKeyFile.resolveSibling(base + ".pub.json");
  }

  static void printJson(PrintWriter out, JsonValue value) {
    out.print(new String(PrettyJson.encode(value), StandardCharsets.UTF_8));
    out.flush();
  }
}
