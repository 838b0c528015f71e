package dev.graft.pkcs11;

import static dev.graft.pkcs11.Pkcs11Constants.CKA_KEY_TYPE;
import static dev.graft.pkcs11.Pkcs11Constants.CKK_EC;
import static dev.graft.pkcs11.Pkcs11Constants.CKK_EC_EDWARDS;
import static dev.graft.pkcs11.Pkcs11Constants.CKK_ML_DSA;
import static dev.graft.pkcs11.Pkcs11Constants.CKO_PRIVATE_KEY;

import dev.graft.bundle.keys.Signer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TokenKeyLoader} of the PKCS#11 bridge: resolves a key's URI to a signer that signs on
 * the token — {@link TokenEcdsaSigner} for an ECDSA P-256 key, {@link TokenCompositeSigner} for a
 * composite key in the wrapped mode. A plain Ed25519 key is refused: on a token, Ed25519 is used
 * only as the half of a composite key ({@code trust.md}).
 *
 * <h2>Who owns what</h2>
 *
 * The loader owns every module and session it opens: signers it returns use them and stay usable
 * until {@link #close()}, which closes the sessions and finalises the modules (once no other part
 * of the process uses them). Keys on the same token share one session and one login. Use the loader
 * with try-with-resources around everything that signs.
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
  private final Map<Path, Pkcs11Module> modules = new LinkedHashMap<>();
  private final Map<String, TokenSession> sessions = new LinkedHashMap<>();
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
   * A signer for the key the URI names.
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
    String shown = "key " + uri.toRedactedUriString();
    if (closed) {
      throw new Pkcs11Exception(shown + ": the key loader is closed");
    }
    try {
      return signerOn(session(uri), uri);
    } catch (CkrException e) {
      throw e.in(shown + " (" + firstLine(e) + ")");
    } catch (TokenNotFoundException e) {
      throw named(new TokenNotFoundException(shown + ": " + e.getMessage()), e);
    } catch (ObjectNotFoundException e) {
      throw named(new ObjectNotFoundException(shown + ": " + e.getMessage()), e);
    } catch (SecretSourceException e) {
      throw new SecretSourceException(shown + ": " + e.getMessage(), e);
    } catch (Pkcs11Exception e) {
      throw new Pkcs11Exception(shown + ": " + e.getMessage(), e);
    }
  }

  private static <E extends Pkcs11Exception> E named(E renamed, Pkcs11Exception cause) {
    renamed.initCause(cause);
    return renamed;
  }

  /** Where a token error happened, for the renamed exception: its message up to the function. */
  private static String firstLine(CkrException e) {
    String message = String.valueOf(e.getMessage());
    int at = message.indexOf(": " + e.function());
    return at < 0 ? "token" : message.substring(0, at);
  }

  private TokenSession session(Pkcs11Uri uri) {
    Optional<Path> named = uri.modulePath();
    Path modulePath = named.isPresent() ? named.get() : defaultModule;
    if (modulePath == null) {
      throw new Pkcs11Exception(
          "the URI names no module-path and no default PKCS#11 module is configured; add"
              + " ?module-path=/usr/lib/softhsm/libsofthsm2.so (or your token's library)");
    }
    Pkcs11Module module = modules.get(modulePath);
    if (module == null) {
      module = Pkcs11Module.open(modulePath);
      modules.put(modulePath, module);
    }
    Token token = token(module, uri);
    String sessionKey = modulePath + "\0" + token.slotId();
    TokenSession session = sessions.get(sessionKey);
    if (session != null) {
      return session;
    }
    session = token.openSession();
    try {
      if (token.loginRequired()) {
        session.login(pins.pin(uri));
      }
    } catch (RuntimeException e) {
      try {
        session.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    sessions.put(sessionKey, session);
    return session;
  }

  /** The token by label or serial, checked against every other token attribute the URI gives. */
  private static Token token(Pkcs11Module module, Pkcs11Uri uri) {
    Token token =
        uri.token().isPresent()
            ? module.tokenLabelled(uri.token().get())
            : module.tokenWithSerial(uri.serial().orElseThrow());
    List<String> mismatches = new ArrayList<>();
    mismatch(mismatches, "serial", uri.serial(), token.serial());
    mismatch(mismatches, "manufacturer", uri.manufacturer(), token.manufacturer());
    mismatch(mismatches, "model", uri.model(), token.model());
    OptionalLong slot = uri.slotId();
    if (slot.isPresent() && slot.getAsLong() != token.slotId()) {
      mismatches.add(
          "slot-id is "
              + Long.toUnsignedString(slot.getAsLong())
              + " but the token is in slot "
              + Long.toUnsignedString(token.slotId()));
    }
    if (!mismatches.isEmpty()) {
      throw new TokenNotFoundException(
          "PKCS#11 module "
              + module.path()
              + " has "
              + token.where()
              + ", but it does not match the URI: "
              + String.join("; ", mismatches));
    }
    return token;
  }

  private static void mismatch(
      List<String> mismatches, String attribute, Optional<String> wanted, String actual) {
    if (wanted.isPresent() && !wanted.get().equals(actual)) {
      mismatches.add(
          attribute
              + " is '"
              + wanted.get()
              + "' but the token's "
              + attribute
              + " is '"
              + actual
              + "'");
    }
  }

  private static Signer signerOn(TokenSession session, Pkcs11Uri uri) {
    Optional<Pkcs11Uri.ObjectType> type = uri.type();
    if (type.isPresent() && type.get() != Pkcs11Uri.ObjectType.PRIVATE) {
      throw new Pkcs11Exception(
          "type="
              + type.get().word()
              + " names no private key, and signing needs one: write type=private or leave type"
              + " out");
    }
    ObjectQuery query = ObjectQuery.all();
    if (uri.object().isPresent()) {
      query = query.withLabel(uri.object().get());
    }
    if (uri.id().isPresent()) {
      query = query.withId(uri.id().get());
    }
    TokenObject privateKey = session.findOne(query.ofClass(CKO_PRIVATE_KEY));
    long keyType =
        session
            .longAttribute(privateKey, CKA_KEY_TYPE)
            .orElseThrow(() ->
                new Pkcs11Exception(session.token().where() + " does not say the key's type"));
    if (keyType == CKK_EC) {
      return TokenEcdsaSigner.find(session, query);
    }
    if (keyType == CKK_EC_EDWARDS) {
      TokenKeyPair pair = session.findKeyPair(query.ofKeyType(CKK_EC_EDWARDS));
      Optional<TokenCompositeKey> composite = TokenCompositeKey.of(session, pair);
      if (composite.isPresent()) {
        return TokenCompositeSigner.of(session, composite.get());
      }
      throw new Pkcs11Exception(
          "'"
              + pair.label()
              + "' is a plain Ed25519 key; on tokens Graft uses Ed25519 only as the half of a"
              + " composite mldsa65-ed25519 key, because a plain Ed25519 TUF signature covers the"
              + " whole file and tokens sign only short messages with Ed25519; use an ECDSA"
              + " P-256 key or a composite key");
    }
    if (keyType == CKK_ML_DSA) {
      throw new Pkcs11Exception(
          "the key is a native ML-DSA key (CKK_ML_DSA); Graft does not sign with native ML-DSA"
              + " keys until that is tested against a token that has them");
    }
    throw new Pkcs11Exception(
        "the key is of PKCS#11 key type 0x"
            + Long.toHexString(keyType)
            + "; on tokens Graft signs with ECDSA P-256 and composite mldsa65-ed25519 keys");
  }

  /**
   * Closes every session and module this loader opened; signers it returned stop working. Closing
   * twice does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Pkcs11Exception failure = null;
    for (TokenSession session : sessions.values()) {
      try {
        session.close();
      } catch (Pkcs11Exception e) {
        failure = record(failure, e);
      }
    }
    sessions.clear();
    for (Pkcs11Module module : modules.values()) {
      try {
        module.close();
      } catch (Pkcs11Exception e) {
        failure = record(failure, e);
      }
    }
    modules.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private static Pkcs11Exception record(@Nullable Pkcs11Exception first, Pkcs11Exception next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  @Override
  public synchronized String toString() {
    return "Pkcs11KeyLoader[" + modules.size() + " modules, " + sessions.size() + " sessions]";
  }
}
