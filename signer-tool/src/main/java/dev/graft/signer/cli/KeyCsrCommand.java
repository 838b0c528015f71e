package dev.graft.signer.cli;

import dev.graft.bundle.keys.Signer;
import dev.graft.pkcs11.SecretSource;
import dev.graft.signer.CliContext;
import dev.graft.signer.KeySource;
import dev.graft.signer.keys.CertificateRequest;
import dev.graft.signer.keys.NewFiles;
import dev.graft.signer.keys.NewFiles.NewFile;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft key csr KEY --subject DN}: a PKCS#10 certification request. */
@Command(
    name = "csr",
    header = "Writes a PKCS#10 certificate request signed by a key.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes a certification request (PEM) for KEY — an ECDSA P-256 or Ed25519 key file, or an"
          + " ECDSA P-256 token key — signed by that key: for the TLS client certificate a release"
          + " engineer publishes to the broker with (deploy/mosquitto). The CA sets validity and"
          + " key usage (extendedKeyUsage=clientAuth).",
      "Composite keys are refused: TLS stacks do not accept composite certificates, and a TUF"
          + " signing key must not double as a TLS key. Make a separate TLS key with"
          + " `graft key generate --type ecdsa-p256`.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft key generate --type ecdsa-p256 --out alice-tls.pem",
      "  graft key csr alice-tls.pem --out alice.csr \\",
      "      --subject 'CN=alice,OU=release,O=Example Ltd'",
      "  openssl req -in alice.csr -verify -noout",
      "  graft key csr 'pkcs11:token=release;object=alice-tls?pin-source=env:PIN' \\",
      "      --subject CN=alice > alice.csr"
    })
final class KeyCsrCommand implements Runnable {
  private final CliContext context;

  @Parameters(index = "0", paramLabel = "KEY", description = "A private key: .pem or pkcs11: URI.")
  private String key = "";

  @Option(
      names = "--subject",
      required = true,
      paramLabel = "DN",
      description = "The subject, RFC 4514: \"CN=alice,O=Example Ltd\".")
  private String subject = "";

  @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of printing.")
  private @Nullable Path out;

  @Option(
      names = "--passphrase",
      paramLabel = "SOURCE",
      description = "For a .pem key: prompt, file:PATH or env:NAME (default: prompt).")
  private String passphrase = "prompt";

  KeyCsrCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    byte[] der;
    String keyId;
    try (KeySource keys = context.keySource()) {
      Signer signer = keys.signer(key, SecretSource.parse(passphrase, "--passphrase"));
      keyId = signer.keyId();
      der = CertificateRequest.create(signer, subject);
    }
    String pem = CertificateRequest.pem(der);
    PrintWriter printer = context.terminal().out();
    Path target = out;
    if (target == null) {
      printer.print(pem);
    } else {
      NewFiles.createAll(
          List.of(new NewFile(target, pem.getBytes(StandardCharsets.US_ASCII), false)));
      printer.println("Wrote certificate request " + target + " for key " + keyId);
    }
    printer.flush();
  }
}
