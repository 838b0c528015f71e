package dev.graft.signer;

import dev.graft.bundle.KeyFileException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.KeyRef;
import dev.graft.pkcs11.PinSource;
import dev.graft.pkcs11.Pkcs11KeyLoader;
import dev.graft.pkcs11.SecretReader;
import dev.graft.pkcs11.SecretSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Resolves the keys a user names on the command line — a {@code pkcs11:} URI for a key on a token,
 * an encrypted private key file ({@code .pem}), or a TUF public key file ({@code .pub.json}) — to
 * signers and public keys. One instance per command: it keeps the token sessions it opened (one
 * login per token) until {@link #close()}.
 *
 * <p>Passphrases of key files come from a {@link SecretSource} ({@code prompt}, {@code file:PATH},
 * {@code env:NAME}); PINs from the URI's {@code pin-source} or a prompt.
 */
public final class KeySource implements AutoCloseable {
  private final SecretReader secrets;
  private final PinSource pins;
  private final @Nullable Path defaultPkcs11Module;

  /**
   * One loader per key URI. Pkcs11KeyLoader shares one connection per token and its signer() then
   * resolves the key named by the URI the connection was first opened with, so a second key on the
   * same token would come back as the first; separate loaders keep keys apart (the token accepts
   * the already-logged-in session).
   */
  private final Map<String, Pkcs11KeyLoader> tokens = new LinkedHashMap<>();

  public KeySource(SecretReader secrets, @Nullable Path defaultPkcs11Module) {
    this.secrets = secrets;
    this.pins = new PinSource(secrets);
    this.defaultPkcs11Module = defaultPkcs11Module;
  }

  private Signer tokenSigner(KeyRef.Pkcs11KeyRef key) {
    Pkcs11KeyLoader loader =
        tokens.computeIfAbsent(
            key.uri().toString(),
            k ->
                defaultPkcs11Module == null
                    ? new Pkcs11KeyLoader(pins)
                    : new Pkcs11KeyLoader(pins, defaultPkcs11Module));
    return loader.signer(key);
  }

  /**
   * A signer for the private key {@code reference} names.
   *
   * @throws dev.graft.bundle.TrustException when a key file cannot be read or decrypted, or the
   *     reference is a public key file
   * @throws dev.graft.pkcs11.Pkcs11Exception when the token or its key cannot be used
   */
  public Signer signer(String reference, SecretSource passphrase) {
    return switch (KeyRef.parse(reference)) {
      case KeyRef.FileKeyRef file -> file.loadSigner(secrets, passphrase);
      case KeyRef.Pkcs11KeyRef token -> tokenSigner(token);
    };
  }

  /**
   * As {@link #signer(String, SecretSource)}, checking that a key file holds {@code expected}
   * (damage inside an encrypted seed would otherwise yield a different, valid-looking key).
   */
  public Signer signer(String reference, SecretSource passphrase, TufKey expected) {
    return switch (KeyRef.parse(reference)) {
      case KeyRef.FileKeyRef file -> file.loadSigner(secrets, passphrase, expected);
      case KeyRef.Pkcs11KeyRef token -> tokenSigner(token);
    };
  }

  /**
   * The public key {@code reference} names: read from a public key file, or from the private key
   * file or token key (which needs its passphrase or PIN).
   */
  public TufKey publicKey(String reference, SecretSource passphrase) {
    return switch (KeyRef.parse(reference)) {
      case KeyRef.FileKeyRef file when file.isPublic() -> file.loadPublicKey();
      case KeyRef.FileKeyRef file -> file.loadSigner(secrets, passphrase).publicKey();
      case KeyRef.Pkcs11KeyRef token -> tokenSigner(token).publicKey();
    };
  }

  /**
   * The public key in a public key file ({@code .pub.json}).
   *
   * @throws KeyFileException when {@code reference} is not a readable public key file
   */
  public TufKey publicKeyFile(String reference) {
    if (KeyRef.parse(reference) instanceof KeyRef.FileKeyRef file) {
      return file.loadPublicKey();
    }
    throw new KeyFileException(
        reference + " is a token key; a public key file (.pub.json) is needed here");
  }

  /** Closes every token session this source opened; its signers stop working. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (Pkcs11KeyLoader loader : tokens.values()) {
      try {
        loader.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    tokens.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
