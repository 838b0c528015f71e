package dev.graft.pkcs11;

import dev.graft.bundle.keys.Signer;
import dev.graft.pkcs11.internal.CkrException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A token opened the way a PKCS#11 URI says: the module from {@code module-path}, the token by
 * {@code token}, {@code serial}, {@code manufacturer}, {@code model} and {@code slot-id}, a session
 * logged in with the PIN from {@code pin-value} or {@code pin-source} (when the token asks for
 * one), and the key from {@code object}, {@code id} and {@code type}.
 *
 * <p>This is the layer that knows the URI, so its failures name it — redacted, never with a PIN —
 * ahead of what the token layer said ("PKCS#11 URI pkcs11:token=gw;object=identity?module-path=…:
 * C_Login returned CKR_PIN_INCORRECT (0xA0): the PIN is wrong"). A failed {@link #open} leaves
 * nothing open. Close the connection when done; that closes the session and gives the module back.
 */
public final class TokenConnection implements AutoCloseable {
  private final Pkcs11Uri uri;
  private final Pkcs11Module module;
  private final TokenSession session;

  private TokenConnection(Pkcs11Uri uri, Pkcs11Module module, TokenSession session) {
    this.uri = uri;
    this.module = module;
    this.session = session;
  }

  /**
   * Opens the module, finds the one token the URI matches, and logs in if the token requires it.
   *
   * @throws Pkcs11Exception naming the URI: no {@code module-path}, a module that cannot be loaded
   *     or is no PKCS#11 library, no matching token (listing those there are) or several, a PIN
   *     that cannot be read ({@link SecretSourceException}), or a refused login ({@link
   *     CkrException}, e.g. {@code CKR_PIN_INCORRECT})
   */
  public static TokenConnection open(Pkcs11Uri uri, PinSource pins) {
    return open(uri, pins, null);
  }

  /**
   * Like {@link #open(Pkcs11Uri, PinSource)}, loading {@code defaultModule} when the URI names no
   * {@code module-path}.
   */
  public static TokenConnection open(Pkcs11Uri uri, PinSource pins, @Nullable Path defaultModule) {
    Optional<Path> named = uri.modulePath();
    Path modulePath = named.isPresent() ? named.get() : defaultModule;
    if (modulePath == null) {
      throw new Pkcs11Exception(
          "PKCS#11 URI "
              + uri
              + " has no module-path, so Graft does not know which PKCS#11 library to"
              + " load; add one, such as ?module-path=/usr/lib/softhsm/libsofthsm2.so");
    }
    Pkcs11Module module;
    try {
      module = Pkcs11Module.open(modulePath);
    } catch (Pkcs11Exception e) {
      throw naming(uri, null, e);
    }
    Token token = null;
    TokenSession session = null;
    try {
      token = selectToken(module, uri);
      session = token.openSession();
      if (token.loginRequired()) {
        // login clears the PIN array, also when it fails.
        session.login(pins.pin(uri));
      }
      return new TokenConnection(uri, module, session);
    } catch (Pkcs11Exception e) {
      Pkcs11Exception failure = naming(uri, token, e);
      closeQuietly(session, module, failure);
      throw failure;
    }
  }

  /** Closes the session (if any) and gives the module back, recording failures on {@code into}. */
  private static void closeQuietly(
      @Nullable TokenSession session, Pkcs11Module module, Pkcs11Exception into) {
    if (session != null) {
      try {
        session.close();
      } catch (Pkcs11Exception closing) {
        into.addSuppressed(closing);
      }
    }
    try {
      module.close();
    } catch (Pkcs11Exception closing) {
      into.addSuppressed(closing);
    }
  }

  public Pkcs11Uri uri() {
    return uri;
  }

  public Token token() {
    return session.token();
  }

  /** The logged-in session; it stays usable until this connection is closed. */
  public TokenSession session() {
    return session;
  }

  /**
   * The key pair whose private key the URI names by {@code object} (label) and/or {@code id}.
   *
   * @throws Pkcs11Exception naming the URI when the URI names no key, names something other than a
   *     private key by {@code type}, or the token has no such key pair ({@link
   *     ObjectNotFoundException})
   */
  public TokenKeyPair keyPair() {
    return keyPair(uri);
  }

  /**
   * The key pair that {@code keyUri} names, on this connection's token: several keys on one token
   * share one connection, each named by its own URI. The token-selecting parts of {@code keyUri}
   * are not checked again; the caller chose this connection by them.
   *
   * @see #keyPair()
   */
  public TokenKeyPair keyPair(Pkcs11Uri keyUri) {
    Pkcs11Uri uri = keyUri;
    if (uri.object().isEmpty() && uri.id().isEmpty()) {
      throw new Pkcs11Exception(
          "PKCS#11 URI " + uri + " names no key: add object= (the key's label) or id=");
    }
    Optional<Pkcs11Uri.ObjectType> type = uri.type();
    if (type.isPresent() && type.get() != Pkcs11Uri.ObjectType.PRIVATE) {
      throw new Pkcs11Exception(
          "PKCS#11 URI "
              + uri
              + " names an object of type "
              + type.get().word()
              + "; signing needs the private key (type=private, or no type)");
    }
    ObjectQuery query = ObjectQuery.all();
    if (uri.object().isPresent()) {
      query = query.withLabel(uri.object().get());
    }
    Optional<byte[]> id = uri.id();
    if (id.isPresent()) {
      query = query.withId(id.get());
    }
    try {
      return session.findKeyPair(query);
    } catch (Pkcs11Exception e) {
      throw naming(uri, session.token(), e);
    }
  }

  /**
   * The ECDSA P-256 signer for the key the URI names; see {@link #keyPair()}.
   *
   * @throws Pkcs11Exception naming the URI, also when the key is not ECDSA P-256
   */
  public TokenEcdsaSigner ecdsaSigner() {
    TokenKeyPair pair = keyPair();
    try {
      return TokenEcdsaSigner.of(session, pair);
    } catch (Pkcs11Exception e) {
      throw naming(uri, session.token(), e);
    }
  }

  /**
   * The signer for the key the URI names: {@link TokenEcdsaSigner} for an ECDSA P-256 key, {@link
   * TokenCompositeSigner} for a composite key in the wrapped mode. A plain Ed25519 key is refused:
   * on a token, Ed25519 is used only as the half of a composite key ({@code trust.md}); so is a
   * native ML-DSA key, until native signing is tested against a token that has one.
   *
   * @throws Pkcs11Exception naming the URI
   */
  public Signer signer() {
    return signer(uri);
  }

  /**
   * The signer for the key {@code keyUri} names on this connection's token; see {@link #signer()}
   * and {@link #keyPair(Pkcs11Uri)}.
   */
  public Signer signer(Pkcs11Uri keyUri) {
    Pkcs11Uri uri = keyUri;
    TokenKeyPair pair = keyPair(uri);
    try {
      return switch (pair.type()) {
        case ECDSA_P256 -> TokenEcdsaSigner.of(session, pair);
        case ED25519 ->
            TokenCompositeKey.of(session, pair)
                .<Signer>map(composite -> TokenCompositeSigner.of(session, composite))
                .orElseThrow(() ->
                    new Pkcs11Exception(
                        "'"
                            + pair.label()
                            + "' is a plain Ed25519 key; on tokens Graft uses Ed25519 only as"
                            + " the half of a composite mldsa65-ed25519 key, because a plain"
                            + " Ed25519 TUF signature covers the whole file and tokens sign"
                            + " only short messages with Ed25519; use an ECDSA P-256 key or a"
                            + " composite key"));
        default ->
            throw new Pkcs11Exception(
                "the key is "
                    + pair.type().keyType()
                    + "; on tokens Graft signs with ECDSA P-256 and composite mldsa65-ed25519"
                    + " keys");
      };
    } catch (Pkcs11Exception e) {
      throw naming(uri, session.token(), e);
    }
  }

  /** Closes the session and gives the module back (the last user finalises it). */
  @Override
  public void close() {
    try {
      session.close();
    } finally {
      module.close();
    }
  }

  @Override
  public String toString() {
    return "TokenConnection[" + uri + "]";
  }

  private static Token selectToken(Pkcs11Module module, Pkcs11Uri uri) {
    List<Token> all = module.tokens();
    List<Token> found = all.stream().filter(t -> matches(t, uri)).toList();
    if (found.size() == 1) {
      return found.getFirst();
    }
    if (found.isEmpty()) {
      String present =
          all.stream()
              .filter(Token::initialized)
              .map(t -> "'" + t.label() + "' (serial " + t.serial() + ")")
              .collect(Collectors.joining(", "));
      throw new TokenNotFoundException(
          "module "
              + module.path()
              + " has no token that matches"
              + (present.isEmpty()
                  ? "; it has no initialised tokens"
                  : "; its tokens: " + present));
    }
    throw new Pkcs11Exception(
        found.size()
            + " tokens in module "
            + module.path()
            + " match ("
            + found.stream().map(Token::toString).collect(Collectors.joining(", "))
            + "); add token= or serial= to pick one");
  }

  /** RFC 7512: every token attribute the URI gives must match; those it omits match anything. */
  private static boolean matches(Token token, Pkcs11Uri uri) {
    if (!token.initialized()) {
      return false;
    }
    OptionalLong slot = uri.slotId();
    return uri.token().map(token.label()::equals).orElse(true)
        && uri.serial().map(token.serial()::equals).orElse(true)
        && uri.manufacturer().map(token.manufacturer()::equals).orElse(true)
        && uri.model().map(token.model()::equals).orElse(true)
        && (slot.isEmpty() || slot.getAsLong() == token.slotId());
  }

  /** The same failure, with the URI (and the token, once known) put first in its message. */
  static Pkcs11Exception naming(Pkcs11Uri uri, @Nullable Token token, Pkcs11Exception e) {
    String where = "PKCS#11 URI " + uri;
    return switch (e) {
      // The token layer's own description is dropped with the rest of its message; keep it.
      case CkrException ckr -> ckr.in(token == null ? where : where + " (" + token.where() + ")");
      case TokenNotFoundException missing ->
          withCause(new TokenNotFoundException(where + ": " + missing.getMessage()), e);
      case ObjectNotFoundException missing ->
          withCause(new ObjectNotFoundException(where + ": " + missing.getMessage()), e);
      case SecretSourceException secret ->
          new SecretSourceException(where + ": " + secret.getMessage(), secret);
      default -> new Pkcs11Exception(where + ": " + e.getMessage(), e);
    };
  }

  private static Pkcs11Exception withCause(Pkcs11Exception outer, Pkcs11Exception cause) {
    outer.initCause(cause);
    return outer;
  }
}
