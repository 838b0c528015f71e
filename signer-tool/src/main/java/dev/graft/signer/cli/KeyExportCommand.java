package dev.graft.signer.cli;

import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.SecretSource;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.KeySource;
import dev.graft.signer.keys.NewFiles;
import dev.graft.signer.keys.NewFiles.NewFile;
import dev.graft.signer.keys.PublicKeyPem;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft key export KEY}: the public key of a key file or token key. */
@Command(
    name = "export",
    header = "Exports the public key of a key file or token key.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes the public key of KEY (a private key file .pem, a public key file .pub.json, or a"
          + " pkcs11: URI) as a TUF public key file (--format tuf, the default: what `graft repo"
          + " init` takes), as PEM SubjectPublicKeyInfo (--format pem: for OpenSSL, a CA or an"
          + " inventory), or both. Composite keys in PEM use the composite ML-DSA draft's OID"
          + " (1.3.6.1.5.5.7.6.48); few tools read those yet.",
      "Without --out the key is printed; --format both needs --out BASE and writes"
          + " BASE.pub.json and BASE.pub.pem. Existing files are never overwritten.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft key export alice.pem > alice.pub.json",
      "  graft key export --out targets-alice.pub.json \\",
      "      'pkcs11:token=release;object=targets-alice?pin-source=env:PIN'",
      "  graft key export alice-tls.pem --format pem \\",
      "      | openssl pkey -pubin -noout -text",
      "  graft key export alice.pem --format both --out exported/alice"
    })
final class KeyExportCommand implements Runnable {
  private final CliContext context;

  enum Format {
    TUF,
    PEM,
    BOTH;

    /** Reads tuf, pem or both (any case). */
    static final class Converter implements picocli.CommandLine.ITypeConverter<Format> {
      @Override
      public Format convert(String value) {
        for (Format format : values()) {
          if (format.name().equalsIgnoreCase(value)) {
            return format;
          }
        }
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not an export format; choose tuf, pem or both");
      }
    }
  }

  @Parameters(
      index = "0",
      paramLabel = "KEY",
      description = "A .pem or .pub.json file, or a pkcs11: URI.")
  private String key = "";

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      converter = Format.Converter.class,
      description = "tuf (default), pem or both.")
  private Format format = Format.TUF;

  @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of printing.")
  private @Nullable Path out;

  @Option(
      names = "--passphrase",
      paramLabel = "SOURCE",
      description = "For a .pem key: prompt, file:PATH or env:NAME (default: prompt).")
  private String passphrase = "prompt";

  KeyExportCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    if (format == Format.BOTH && out == null) {
      throw new CliException(
          "--format both writes two files; give --out BASE (writes BASE.pub.json and BASE.pub.pem)");
    }
    TufKey publicKey;
    try (KeySource keys = context.keySource()) {
      publicKey = keys.publicKey(key, SecretSource.parse(passphrase, "--passphrase"));
    }
    byte[] tuf = PublicKeyFile.encode(publicKey);
    byte[] pem = PublicKeyPem.pem(publicKey).getBytes(StandardCharsets.US_ASCII);
    PrintWriter printer = context.terminal().out();
    Path target = out;
    if (target == null) {
      printer.print(new String(format == Format.PEM ? pem : tuf, StandardCharsets.UTF_8));
      printer.flush();
      return;
    }
    List<NewFile> files = new ArrayList<>();
    switch (format) {
      case TUF -> files.add(new NewFile(target, tuf, false));
      case PEM -> files.add(new NewFile(target, pem, false));
      case BOTH -> {
        files.add(
            new NewFile(target.resolveSibling(target.getFileName() + ".pub.json"), tuf, false));
        files.add(
            new NewFile(target.resolveSibling(target.getFileName() + ".pub.pem"), pem, false));
      }
    }
    NewFiles.createAll(files);
    printer.println("Exported key " + publicKey.keyId() + " (" + publicKey.keyType() + ")");
    for (NewFile file : files) {
      printer.println("  " + file.path());
    }
    printer.flush();
  }
}
