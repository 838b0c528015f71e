package dev.graft.pkcs11;

import dev.graft.bundle.keys.Signer;
import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TokenKeyLoader} of the PKCS#11 bridge: resolves a key's URI to a signer that signs on
 * the token — {@link TokenEcdsaSigner} for an ECDSA P-256 key, {@link TokenCompositeSigner} for a
 * composite key in the wrapped mode. A plain Ed25519 key is refused: on a token, Ed25519 is used
 * only as the half of a composite key ({@code trust.md}).
 *
 * <h2>Who owns what</h2>
 *
 * The loader owns every {@link TokenConnection} it opens: signers it returns use them and stay
 * usable until {@link #close()}, which closes the connections (the last user of a module finalises
 * it). Keys on the same token share one connection and one login. Use the loader with
 * try-with-resources around everything that signs. Opening the token and choosing the signer are
 * {@link TokenConnection}'s, so a URI means the same here as everywhere else in the bridge.
 *
 * <h2>Logins</h2>
 *
 * The PIN comes from the URI ({@link PinSource}) and is cleared once the token has it. PKCS#11
 * login belongs to the token, not the session: if another part of this process is already logged in
 * to the token, the token does not check the PIN again.
 *
 * <p>Errors name the URI with any {@code pin-value} redacted, never the PIN. Safe to use from
 * several threads.
 */
public final class Pkcs11KeyLoader implements TokenKeyLoader, AutoCloseable {
  private final PinSource pins;
  private final @Nullable Path defaultModule;

  /** Open connections by the token-selecting part of their URI. */
  private final Map<String, TokenConnection> connections = new LinkedHashMap<>();

  private boolean closed;

  /** A loader for URIs that name their module ({@code module-path}). */
  public Pkcs11KeyLoader(PinSource pins) {
    this.pins = pins;
    this.defaultModule = null;
  }

  /** A loader that uses {@code defaultModule} for URIs without a {@code module-path}. */
  public Pkcs11KeyLoader(PinSource pins, Path defaultModule) {
    this.pins = pins;
    this.defaultModule = defaultModule;
  }

  /**
   * A signer for the key the URI names; see {@link TokenConnection#signer()}.
   *
   * @throws TokenNotFoundException when the module has no such token
   * @throws ObjectNotFoundException when the token has no such private key
   * @throws CkrException with {@link Ckr#CKR_PIN_INCORRECT} for a wrong PIN
   * @throws SecretSourceException when the PIN cannot be had
   * @throws Pkcs11Exception when the module path is not a PKCS#11 module, the key is of a type
   *     Graft does not sign with on tokens, or the token fails; every message names the URI
   */
  @Override
  public synchronized Signer signer(KeyRef.Pkcs11KeyRef key) {
    Pkcs11Uri uri = key.uri();
    if (closed) {
      throw new Pkcs11Exception("PKCS#11 URI " + uri + ": the key loader is closed");
    }
    // the connection is shared per token; the key is the one this URI names, not the first one's
    return connection(uri).signer(uri);
  }

  private TokenConnection connection(Pkcs11Uri uri) {
    String token =
        String.join(
            "\0",
            uri.modulePath().map(Path::toString).orElse(String.valueOf(defaultModule)),
            uri.token().orElse(""),
            uri.serial().orElse(""),
            uri.manufacturer().orElse(""),
            uri.model().orElse(""),
            uri.slotId().isPresent() ? Long.toUnsignedString(uri.slotId().getAsLong()) : "");
    TokenConnection connection = connections.get(token);
    if (connection == null) {
      connection = TokenConnection.open(uri, pins, defaultModule);
      connections.put(token, connection);
    }
    return connection;
  }

  /**
   * Closes every connection this loader opened; signers it returned stop working. Closing twice
   * does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Pkcs11Exception failure = null;
    for (TokenConnection connection : connections.values()) {
      try {
        connection.close();
      } catch (Pkcs11Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    connections.clear();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public synchronized String toString() {
    return "Pkcs11KeyLoader[" + connections.size() + " open tokens]";
  }
}
