package dev.graft.pkcs11;

import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import dev.graft.pkcs11.internal.Cryptoki;
import dev.graft.pkcs11.internal.LibraryDescription;
import dev.graft.pkcs11.internal.ModuleRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A PKCS#11 module (the shared library a token vendor ships) opened for use: the entry point to its
 * tokens. Close it when done — try-with-resources — so the module is finalised ({@code C_Finalize})
 * once no one else in the process uses it; closing also closes any {@link TokenSession} opened
 * through it that is still open.
 *
 * <p>Opening the same module twice in one process is fine: both share one initialisation (see
 * {@link ModuleRegistry}). Instances are safe to use from several threads.
 */
public final class Pkcs11Module implements AutoCloseable {
  private final Path path;
  private final Cryptoki cryptoki;
  private final Object lock = new Object();
  private final Set<TokenSession> sessions = new LinkedHashSet<>();
  private boolean closed;

  private Pkcs11Module(Path path, Cryptoki cryptoki) {
    this.path = path;
    this.cryptoki = cryptoki;
  }

  /**
   * Loads and initialises the module at {@code modulePath}.
   *
   * @throws Pkcs11Exception naming the path when there is no such file, the file is not a shared
   *     library, the library is not a PKCS#11 module, or the module refuses to initialise
   */
  public static Pkcs11Module open(Path modulePath) {
    return new Pkcs11Module(modulePath, ModuleRegistry.acquire(modulePath));
  }

  /** The path the module was opened with. */
  public Path path() {
    return path;
  }

  LibraryDescription description() {
    return cryptoki().describe();
  }

  /** Every slot that holds a token, initialised or not, in the module's order. */
  public List<Token> tokens() {
    Cryptoki ck = cryptoki();
    List<Token> tokens = new ArrayList<>();
    for (long slot : ck.slots(true)) {
      try {
        tokens.add(Token.inSlot(this, slot));
      } catch (CkrException e) {
        // A token removed between C_GetSlotList and C_GetTokenInfo is simply not there.
        if (!e.is(Ckr.CKR_TOKEN_NOT_PRESENT)
            && !e.is(Ckr.CKR_TOKEN_NOT_RECOGNIZED)
            && !e.is(Ckr.CKR_SLOT_ID_INVALID)) {
          throw e;
        }
      }
    }
    return List.copyOf(tokens);
  }

  /**
   * The one initialised token with this label.
   *
   * @throws TokenNotFoundException when there is none, listing the tokens there are
   * @throws Pkcs11Exception when several tokens have the label (select by serial instead)
   */
  public Token tokenLabelled(String label) {
    return onlyToken(t -> t.initialized() && t.label().equals(label), "labelled '" + label + "'");
  }

  /** The one initialised token with this serial number; see {@link #tokenLabelled}. */
  public Token tokenWithSerial(String serial) {
    return onlyToken(
        t -> t.initialized() && t.serial().equals(serial), "with serial number '" + serial + "'");
  }

  /** The token in this slot. */
  public Token tokenInSlot(long slot) {
    return onlyToken(t -> t.slotId() == slot, "in slot " + slot);
  }

  private Token onlyToken(Predicate<Token> matches, String what) {
    List<Token> all = tokens();
    List<Token> found = all.stream().filter(matches).toList();
    if (found.isEmpty()) {
      String present =
          all.isEmpty()
              ? "it has no tokens"
              : "its tokens are "
                  + all.stream()
                      .map(t ->
                          t.initialized()
                              ? "'" + t.label() + "' (serial " + t.serial() + ")"
                              : "an uninitialised token in slot " + t.slotId())
                      .collect(Collectors.joining(", "));
      throw new TokenNotFoundException(
          "PKCS#11 module " + path + " has no token " + what + "; " + present);
    }
    if (found.size() > 1) {
      throw new Pkcs11Exception(
          found.size()
              + " tokens in PKCS#11 module "
              + path
              + " are "
              + what
              + "; select one by serial number instead (serials "
              + found.stream().map(Token::serial).collect(Collectors.joining(", "))
              + ")");
    }
    return found.getFirst();
  }

  /** The binding, for the classes of this package; fails once the module is closed. */
  Cryptoki cryptoki() {
    synchronized (lock) {
      if (closed) {
        throw new Pkcs11Exception("PKCS#11 module " + path + " is closed");
      }
      return cryptoki;
    }
  }

  void register(TokenSession session) {
    synchronized (lock) {
      if (closed) {
        throw new Pkcs11Exception("PKCS#11 module " + path + " is closed");
      }
      sessions.add(session);
    }
  }

  void unregister(TokenSession session) {
    synchronized (lock) {
      sessions.remove(session);
    }
  }

  /**
   * Closes the sessions still open through this module, then gives the module back; the last user
   * in the process finalises it. Closing twice does nothing. Close only after operations running on
   * other threads have finished: an operation cut off by the close fails.
   */
  @Override
  public void close() {
    List<TokenSession> open;
    synchronized (lock) {
      if (closed) {
        return;
      }
      open = new ArrayList<>(sessions);
    }
    Pkcs11Exception failure = null;
    for (TokenSession session : open) {
      try {
        session.close();
      } catch (Pkcs11Exception e) {
        failure = failure == null ? e : addSuppressed(failure, e);
      }
    }
    synchronized (lock) {
      closed = true;
      sessions.clear();
    }
    try {
      ModuleRegistry.release(cryptoki);
    } catch (Pkcs11Exception e) {
      failure = failure == null ? e : addSuppressed(failure, e);
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static Pkcs11Exception addSuppressed(Pkcs11Exception first, Pkcs11Exception next) {
    first.addSuppressed(next);
    return first;
  }

  @Override
  public String toString() {
    return "Pkcs11Module[" + path + "]";
  }
}
