package dev.graft.pkcs11;

import dev.graft.bundle.KeyFileException;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A key as a user names it on a command line or in a configuration file: a PKCS#11 URI (anything
 * starting with {@code pkcs11:}, in any case) for a key on a token, or else the path of a key file.
 * Key files are told apart by name: {@code .pem} is an encrypted private key ({@link
 * PrivateKeyFile}), {@code .json} (usually {@code .pub.json}) a TUF public key ({@link
 * PublicKeyFile}). A file whose name really starts with {@code pkcs11:} can be named as {@code
 * ./pkcs11:…}.
 */
public sealed interface KeyRef {
  /**
   * The key {@code reference} names: a token key for a {@code pkcs11:} URI, else a key file.
   *
   * @throws Pkcs11UriException when {@code reference} is a PKCS#11 URI that is malformed or does
   *     not name a key ({@link Pkcs11Uri#requireKeyReference()})
   * @throws KeyFileException when it is a file name without a key file extension
   */
  static KeyRef parse(String reference) {
    if (reference.regionMatches(true, 0, Pkcs11Uri.SCHEME, 0, Pkcs11Uri.SCHEME.length())) {
      return new Pkcs11KeyRef(Pkcs11Uri.parse(reference));
    }
    if (reference.isEmpty()) {
      throw new KeyFileException(
          "empty key reference: give a key file (.pem or .pub.json) or a pkcs11: URI");
    }
    try {
      return new FileKeyRef(Path.of(reference));
    } catch (InvalidPathException e) {
      throw new KeyFileException(
          "\"" + reference + "\" is neither a pkcs11: URI nor a usable file name: " + e.getReason(),
          e);
    }
  }

  /**
   * A signer for the key, wherever it is: key files are read here, token keys by {@code tokens},
   * the token layer's implementation of {@link TokenKeyLoader}. {@code passphrase} is used only for
   * private key files.
   *
   * @throws KeyFileException when this is a public key file, or a private one that cannot be read
   *     or decrypted
   */
  default Signer signer(TokenKeyLoader tokens, SecretReader secrets, SecretSource passphrase) {
    return switch (this) {
      case Pkcs11KeyRef token -> tokens.signer(token);
      case FileKeyRef file -> file.loadSigner(secrets, passphrase);
    };
  }

  /** A key on a PKCS#11 token; the URI names at least the token and the object. */
  record Pkcs11KeyRef(Pkcs11Uri uri) implements KeyRef {
    public Pkcs11KeyRef {
      uri.requireKeyReference();
    }

    @Override
    public String toString() {
      return uri.toString();
    }
  }

  /** A key file; its name says whether it holds a private or a public key. */
  record FileKeyRef(Path path) implements KeyRef {
    /** Larger files are refused by the key file readers; reading stops just past it. */
    private static final int MAX_KEY_FILE_BYTES = 64 * 1024;

    /** What a key file holds. */
    public enum Kind {
      /** An encrypted PKCS#8 PEM file ({@code .pem}). */
      PRIVATE_KEY,
      /** A TUF key object ({@code .json}, usually {@code .pub.json}). */
      PUBLIC_KEY
    }

    public FileKeyRef {
      kindOf(path);
    }

    public Kind kind() {
      return kindOf(path);
    }

    public boolean isPrivate() {
      return kind() == Kind.PRIVATE_KEY;
    }

    public boolean isPublic() {
      return kind() == Kind.PUBLIC_KEY;
    }

    /**
     * The private key in this file, decrypted with the passphrase from {@code passphrase}.
     *
     * @throws KeyFileException when this is not a private key file, or it cannot be read or
     *     decrypted
     * @throws SecretSourceException when the passphrase cannot be had
     */
    public Signer loadSigner(SecretReader secrets, SecretSource passphrase) {
      return decrypt(secrets, passphrase, null);
    }

    /**
     * As {@link #loadSigner(SecretReader, SecretSource)}, checking that the file holds {@code
     * expected}: prefer this whenever the public key is known, since damage inside an encrypted
     * Ed25519 or ML-DSA seed yields a different, valid-looking key.
     */
    public Signer loadSigner(SecretReader secrets, SecretSource passphrase, TufKey expected) {
      return decrypt(secrets, passphrase, Objects.requireNonNull(expected));
    }

    /**
     * The public key in this file.
     *
     * @throws KeyFileException when this is not a public key file, or it cannot be read or holds no
     *     key Graft knows
     */
    public TufKey loadPublicKey() {
      if (!isPublic()) {
        throw new KeyFileException(
            path + " is a private key file (.pem); a public key file (.pub.json) is needed here");
      }
      return PublicKeyFile.decode(read(), path.toString());
    }

    @Override
    public String toString() {
      return path.toString();
    }

    private Signer decrypt(SecretReader secrets, SecretSource source, @Nullable TufKey expected) {
      if (!isPrivate()) {
        throw new KeyFileException(
            path + " is a public key file; signing needs a private key file (.pem)");
      }
      byte[] file = read();
      char[] passphrase = secrets.read(source, "the passphrase of key file " + path);
      try {
        // decrypt clears the passphrase itself; the finally covers a failure before it runs.
        return expected == null
            ? PrivateKeyFile.decrypt(file, passphrase, path.toString())
            : PrivateKeyFile.decrypt(file, passphrase, path.toString(), expected);
      } finally {
        Arrays.fill(passphrase, '\0');
      }
    }

    private byte[] read() {
      try {
        return BoundedRead.upTo(path, MAX_KEY_FILE_BYTES);
      } catch (NoSuchFileException e) {
        throw new KeyFileException("cannot read key file " + path + ": there is no such file", e);
      } catch (IOException e) {
        throw new KeyFileException("cannot read key file " + path + ": " + e.getMessage(), e);
      }
    }

    private static Kind kindOf(Path path) {
      Path name = path.getFileName();
      String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
      if (lower.endsWith(".pem")) {
        return Kind.PRIVATE_KEY;
      }
      if (lower.endsWith(".json")) {
        return Kind.PUBLIC_KEY;
      }
      throw new KeyFileException(
          "cannot tell what key file "
              + path
              + " holds: a private key file's name ends in .pem, a public key file's in"
              + " .pub.json (or .json)");
    }
  }
}
