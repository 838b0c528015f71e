package dev.graft.signer.cli;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.KeyRef;
import dev.graft.pkcs11.Pkcs11Uri;
import dev.graft.pkcs11.SecretSource;
import dev.graft.pkcs11.TokenCompositeKey;
import dev.graft.pkcs11.TokenConnection;
import dev.graft.pkcs11.TokenKeyPair;
import dev.graft.pkcs11.TokenSession;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.keys.NewFiles;
import dev.graft.signer.keys.NewFiles.NewFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code graft key generate}: a new key in an encrypted file or on a token. */
@Command(
    name = "generate",
    header = "Generates a new key in an encrypted key file or on a PKCS#11 token.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generates a key and writes its public key as a TUF public key file (.pub.json), the file"
          + " `graft repo init` and `graft repo rotate-key` take from key holders.",
      "--out FILE writes FILE (an encrypted PKCS#8 private key, .pem added if missing) and"
          + " FILE.pub.json beside it; existing files are never overwritten. The passphrase comes"
          + " from --passphrase; typed at a prompt it is asked twice.",
      "--token URI generates the key inside the token, labelled by the URI's object=. On tokens"
          + " the classical type is ecdsa-p256; ed25519 is refused (a plain Ed25519 TUF signature"
          + " covers the whole file, which tokens cannot sign in one call). A composite key keeps"
          + " its Ed25519 half inside the token and its ML-DSA-65 half wrapped by a token key —"
          + " a software key protected by the token and its PIN (docs/pkcs11.md).",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft key generate --out keys/alice.pem     # composite (the default)",
      "  graft key generate --type ed25519 --out keys/alice.pem \\",
      "      --passphrase env:ALICE_PASS",
      "  graft key generate --pub targets-alice.pub.json --token \\",
      "      'pkcs11:token=release;object=targets-alice?pin-source=env:PIN'",
      "  graft key generate --type ecdsa-p256 \\",
      "      --token 'pkcs11:token=release;object=alice-tls?pin-source=env:PIN'"
    })
final class KeyGenerateCommand implements Runnable {
  private final CliContext context;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      converter = KeyKind.Converter.class,
      description = "composite (ML-DSA-65+Ed25519, default), ed25519 or ecdsa-p256.")
  private KeyKind kind = KeyKind.COMPOSITE;

  @ArgGroup(exclusive = true, multiplicity = "1")
  private Where where = new Where();

  static final class Where {
    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "The new private key file (.pem); FILE.pub.json is written beside it.")
    @Nullable Path out;

    @Option(
        names = "--token",
        paramLabel = "URI",
        description = "Generate on this token: a pkcs11: URI whose object= is the new key's label.")
    @Nullable String token;
  }

  @Option(
      names = "--pub",
      paramLabel = "FILE",
      description = "With --token: the public key file to write (default: LABEL.pub.json).")
  private @Nullable Path publicFile;

  @Option(
      names = "--passphrase",
      paramLabel = "SOURCE",
      description =
          "For --out: the new file's passphrase: prompt (asked twice), file:PATH or env:NAME"
              + " (default: prompt).")
  private String passphrase = "prompt";

  @Option(names = "--json", description = "Machine-readable output.")
  private boolean json;

  @Option(
      names = "--kdf-iterations",
      hidden = true,
      description = "PBKDF2 iterations for the key file (tests use fewer).")
  private int kdfIterations = PrivateKeyFile.DEFAULT_ITERATIONS;

  KeyGenerateCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    Generated generated = where.out != null ? toFile(where.out) : toToken(requireToken());
    PrintWriter out = context.terminal().out();
    if (json) {
      KeyCommand.printJson(
          out,
          JsonObject.builder()
              .put("key_id", generated.key().keyId())
              .put("type", kind.word())
              .put("keytype", generated.key().keyType())
              .put("private_key", generated.privateKey())
              .put("public_key_file", generated.publicFile().toString())
              .put("storage", generated.storage())
              .build());
      return;
    }
    out.println("Generated " + kind.word() + " key " + generated.key().keyId());
    out.println("  private key: " + generated.privateKey());
    out.println("  storage:     " + generated.storage());
    out.println("  public key:  " + generated.publicFile());
    out.println(
        "Give the public key file to whoever runs `graft repo init` / `graft repo rotate-key`;"
            + " back the private key up with `graft key backup` (docs/key-ceremony.md).");
    out.flush();
  }

  private String requireToken() {
    String token = where.token;
    if (token == null) {
      throw new IllegalStateException("picocli requires --out or --token");
    }
    return token;
  }

  private record Generated(TufKey key, String privateKey, Path publicFile, String storage) {}

  private Generated toFile(Path given) {
    if (publicFile != null) {
      throw new CliException(
          "--pub is for --token; with --out the public key file is always written beside the"
              + " private one ("
              + KeyCommand.publicKeyFileFor(given)
              + ")");
    }
    Path privatePath =
        given.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pem")
            ? given
            : given.resolveSibling(given.getFileName() + ".pem");
    Path publicPath = KeyCommand.publicKeyFileFor(privatePath);
    NewFiles.requireAbsent(List.of(privatePath, publicPath));
    SecretSource source = SecretSource.parse(passphrase, "--passphrase");
    char[] secret =
        NewPassphrase.read(context, source, "the passphrase for new key file " + privatePath);
    SoftwareKey key = SoftwareKey.generate(kind.type());
    byte[] encrypted;
    try {
      encrypted = PrivateKeyFile.encrypt(key, secret, kdfIterations);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage() + "; nothing was written", e);
    }
    NewFiles.createAll(
        List.of(
            new NewFile(privatePath, encrypted, true),
            new NewFile(publicPath, PublicKeyFile.encode(key.publicKey()), false)));
    return new Generated(
        key.publicKey(),
        privatePath.toString(),
        publicPath,
        "encrypted key file (PKCS#8, PBKDF2-HMAC-SHA256 + AES-256-CBC), readable by you only");
  }

  private Generated toToken(String reference) {
    if (kind == KeyKind.ED25519) {
      throw new CliException(
          "ed25519 keys are not generated on tokens: a plain Ed25519 TUF signature covers the"
              + " whole canonical file, which tokens sign only in short one-shot messages, and it"
              + " must never be a pre-hash. On a token use --type ecdsa-p256 for a classical key,"
              + " or --type composite (its Ed25519 half lives inside the token); for an"
              + " Ed25519-only (--classical) repository use a key file (--out)");
    }
    if (!(KeyRef.parse(reference) instanceof KeyRef.Pkcs11KeyRef ref)) {
      throw new CliException(
          "--token " + reference + " is not a pkcs11: URI; for a key file use --out");
    }
    Pkcs11Uri uri = ref.uri();
    String label =
        uri.object()
            .orElseThrow(() ->
                new CliException(
                    "--token " + uri + " names no object=; add object=LABEL, the new key's label"));
    if (uri.type().isPresent() && uri.type().get() != Pkcs11Uri.ObjectType.PRIVATE) {
      throw new CliException(
          "--token "
              + uri
              + " names type="
              + uri.type().get().word()
              + "; a new key pair is named"
              + " by its private key (type=private, or no type)");
    }
    Path publicPath = publicFile != null ? publicFile : Path.of(label + ".pub.json");
    NewFiles.requireAbsent(List.of(publicPath));
    Optional<byte[]> id = uri.id();
    TufKey key;
    String storage;
    try (TokenConnection connection = KeyCommand.openToken(context, uri)) {
      TokenSession session = connection.session();
      if (kind == KeyKind.ECDSA_P256) {
        TokenKeyPair pair =
            id.isPresent()
                ? session.generateEcdsaP256KeyPair(label, id.get())
                : session.generateEcdsaP256KeyPair(label);
        key = pair.publicKey();
        storage = "inside token '" + connection.token().label() + "', not extractable";
      } else {
        TokenCompositeKey composite =
            id.isPresent()
                ? TokenCompositeKey.generate(session, label, id.get())
                : TokenCompositeKey.generate(session, label);
        key = composite.publicKey();
        storage =
            "Ed25519 half inside token '"
                + connection.token().label()
                + "' (not extractable); ML-DSA-65 half stored wrapped on the token and decrypted"
                + " into memory for each signature — a software key protected by the token and its"
                + " PIN, not an HSM-resident key";
      }
    }
    NewFiles.createAll(List.of(new NewFile(publicPath, PublicKeyFile.encode(key), false)));
    return new Generated(key, uri.toString(), publicPath, storage);
  }
}
