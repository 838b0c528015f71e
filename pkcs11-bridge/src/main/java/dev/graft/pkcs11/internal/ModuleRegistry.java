package dev.graft.pkcs11.internal;

import dev.graft.pkcs11.Pkcs11Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The process-wide record of which PKCS#11 modules are initialised. PKCS#11 allows one {@code
 * C_Initialize} per module per process (a second returns {@code CKR_CRYPTOKI_ALREADY_INITIALIZED})
 * and one {@code C_Finalize} ends every user's sessions, so independent users of one module — a
 * signer and a trust-anchor store on the same token, say — share one initialisation here, counted
 * by canonical path: the first {@link #acquire} initialises, the last {@link #release} finalises.
 */
public final class ModuleRegistry {
  private static final Map<Path, Entry> MODULES = new HashMap<>();

  /**
   * Loaded libraries are never unloaded (see {@link Cryptoki#load}), so their bindings are kept.
   */
  private static final Map<Path, Cryptoki> LOADED = new HashMap<>();

  private ModuleRegistry() {}

  private static final class Entry {
    final Cryptoki cryptoki;
    final boolean ownsInitialisation;
    int users;

    Entry(Cryptoki cryptoki, boolean ownsInitialisation) {
      this.cryptoki = cryptoki;
      this.ownsInitialisation = ownsInitialisation;
    }
  }

  /**
   * The initialised module at {@code path}, loading and initialising it if no one in this process
   * has. Each call must be matched by one {@link #release}.
   *
   * @throws Pkcs11Exception naming the path when it is missing, not a shared library, not a PKCS#11
   *     module, or its {@code C_Initialize} fails
   */
  public static Cryptoki acquire(Path path) {
    Path canonical = canonical(path);
    synchronized (MODULES) {
      Entry entry = MODULES.get(canonical);
      if (entry == null) {
        Cryptoki cryptoki = LOADED.get(canonical);
        if (cryptoki == null) {
          cryptoki = Cryptoki.load(canonical);
          LOADED.put(canonical, cryptoki);
        }
        entry = new Entry(cryptoki, cryptoki.initialize());
        MODULES.put(canonical, entry);
      }
      entry.users++;
      return entry.cryptoki;
    }
  }

  /**
   * Gives back one {@link #acquire}; the last one finalises the module, unless someone outside
   * Graft initialised it first.
   */
  public static void release(Cryptoki cryptoki) {
    synchronized (MODULES) {
      Entry entry = MODULES.get(cryptoki.path());
      if (entry == null || entry.cryptoki != cryptoki) {
        throw new Pkcs11Exception("PKCS#11 module " + cryptoki.path() + " is not in use");
      }
      entry.users--;
      if (entry.users == 0) {
        MODULES.remove(cryptoki.path());
        if (entry.ownsInitialisation) {
          cryptoki.finalizeModule();
        }
      }
    }
  }

  /**
   * How many users hold the module at {@code path} initialised right now: 0 means {@code
   * C_Finalize} has run (or it was never initialised). For tests and diagnostics.
   */
  public static int users(Path path) {
    Path canonical = canonical(path);
    synchronized (MODULES) {
      Entry entry = MODULES.get(canonical);
      return entry == null ? 0 : entry.users;
    }
  }

  private static Path canonical(Path path) {
    try {
      Path real = path.toRealPath();
      if (!Files.isRegularFile(real)) {
        throw new Pkcs11Exception(
            path + " is not a file; give the path of a PKCS#11 module (a shared library)");
      }
      return real;
    } catch (NoSuchFileException e) {
      throw new Pkcs11Exception("there is no PKCS#11 module at " + path + ": no such file", e);
    } catch (IOException e) {
      throw new Pkcs11Exception("cannot read the PKCS#11 module path " + path + ": " + e, e);
    }
  }
}
