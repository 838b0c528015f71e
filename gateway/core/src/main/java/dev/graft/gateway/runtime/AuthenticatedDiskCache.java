package dev.graft.gateway.runtime;

import com.dylibso.chicory.compiler.Cache;
import dev.graft.bundle.Digests;
import dev.graft.bundle.tufclient.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Compiled modules on disk, so a restarted gateway need not compile its modules again, with every
 * entry authenticated by a key only this gateway holds.
 *
 * <p>An entry is JVM bytecode that runs inside the gateway's JVM, outside the WebAssembly sandbox:
 * whoever could plant one could run anything with the gateway's rights. So an entry is only used if
 * its HMAC-SHA256 tag, computed with the gateway-local key over the entry's name and content,
 * verifies (compared in constant time); an entry that does not verify, is truncated or unreadable
 * is treated as absent, counted in {@link #rejected()}, and the module is compiled afresh and the
 * entry rewritten. The key is the caller's to keep secret (for instance in the gateway's protected
 * configuration); it is never logged or written.
 *
 * <p>Entries are written to a temporary file in the same directory, forced to disk and renamed over
 * the old name, so a crash leaves either the old entry, the new one or none, never a torn one (and
 * a torn one would not verify anyway).
 *
 * <p>File layout: the 8 bytes {@code GRAFTCC1}, the 32-byte tag, then the content (the jar of
 * generated classes Chicory's compiler hands to its {@link Cache}).
 */
public final class AuthenticatedDiskCache {
  /** Shortest key accepted: 256 bits, HMAC-SHA256's full strength. */
  public static final int MIN_KEY_BYTES = 32;

  /** Largest entry read back; anything larger is rejected unread. */
  static final int MAX_ENTRY_BYTES = 64 * 1024 * 1024;

  private static final byte[] MAGIC = "GRAFTCC1".getBytes(StandardCharsets.US_ASCII);
  private static final int TAG_BYTES = 32;
  private static final String MAC_ALGORITHM = "HmacSHA256";

  /**
   * Part of every tag: an entry written for another compiler version (whose generated classes may
   * not link against this one) or another purpose does not verify.
   */
  private static final String DOMAIN = "graft compiled module, chicory 1.7.5\0";

  private final Path directory;
  private final SecretKeySpec key;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();

  private AuthenticatedDiskCache(Path directory, byte[] key) {
    this.directory = directory;
    this.key = new SecretKeySpec(key, MAC_ALGORITHM);
  }

  /**
   * A cache in {@code directory} (created if missing) authenticated with {@code key}.
   *
   * @throws IllegalArgumentException if the key is shorter than {@value #MIN_KEY_BYTES} bytes
   * @throws IOException if the directory cannot be created
   */
  public static AuthenticatedDiskCache open(Path directory, byte[] key) throws IOException {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "cache key must be at least " + MIN_KEY_BYTES + " bytes, was " + key.length);
    }
    Files.createDirectories(directory);
    return new AuthenticatedDiskCache(directory, key.clone());
  }

  /** Entries read back and verified. */
  public long hits() {
    return hits.get();
  }

  /** Entries found but refused: wrong tag, truncated, oversized or unreadable. */
  public long rejected() {
    return rejected.get();
  }

  /** Entries that could not be written (the module ran anyway, compiled in memory). */
  public long writeFailures() {
    return writeFailures.get();
  }

  /** The verified content stored under {@code name}, or empty if there is none that verifies. */
  public Optional<byte[]> read(String name) {
    Path file = fileFor(name);
    byte[] stored;
    try (InputStream in = Files.newInputStream(file)) {
      stored = in.readNBytes(MAX_ENTRY_BYTES + MAGIC.length + TAG_BYTES + 1);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      rejected.incrementAndGet();
      return Optional.empty();
    }
    int header = MAGIC.length + TAG_BYTES;
    if (stored.length < header
        || stored.length > MAX_ENTRY_BYTES + header
        || !Arrays.equals(stored, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      rejected.incrementAndGet();
      return Optional.empty();
    }
    byte[] tag = Arrays.copyOfRange(stored, MAGIC.length, header);
    byte[] content = Arrays.copyOfRange(stored, header, stored.length);
    if (!MessageDigest.isEqual(tag, tag(name, content))) {
      rejected.incrementAndGet();
      return Optional.empty();
    }
    hits.incrementAndGet();
    return Optional.of(content);
  }

  /**
   * Stores {@code content} under {@code name}, replacing what was there.
   *
   * @throws IOException if it cannot be written; no partial entry is left under {@code name}
   */
  public void write(String name, byte[] content) throws IOException {
    if (content.length > MAX_ENTRY_BYTES) {
      throw new IOException("entry of " + content.length + " bytes is above the cache's limit");
    }
    byte[] entry =
        ByteBuffer.allocate(MAGIC.length + TAG_BYTES + content.length)
            .put(MAGIC)
            .put(tag(name, content))
            .put(content)
            .array();
    AtomicFile.write(fileFor(name), entry);
  }

  /**
   * The hook for Chicory's compiler for one module: entries are named by the module's SHA-256
   * (already checked against the manifest) and whether interpreter fallback was allowed, so code
   * compiled with fallback never serves a load that asked for the whole module compiled. Chicory's
   * own key is not used. Failures to read or write never fail the load: the module is compiled.
   */
  Cache forModule(String sha256Hex, boolean interpreterFallback) {
    String name = sha256Hex + (interpreterFallback ? "+interpreter" : "");
    return new Cache() {
      @Override
      public byte @Nullable [] get(String chicoryKey) {
        return read(name).orElse(null);
      }

      @Override
      public void putIfAbsent(String chicoryKey, byte[] content) {
        try {
          write(name, content);
        } catch (IOException e) {
          writeFailures.incrementAndGet();
        }
      }
    };
  }

  /** The entry's file: named by a hash of its name, so no name can reach outside the directory. */
  Path fileFor(String name) {
    return directory.resolve(Digests.sha256Hex(name) + ".cc");
  }

  private byte[] tag(String name, byte[] content) {
    try {
      Mac mac = Mac.getInstance(MAC_ALGORITHM);
      mac.init(key);
      mac.update(DOMAIN.getBytes(StandardCharsets.UTF_8));
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      // Length-prefixed, so no name/content split of the same bytes gives the same tag.
      mac.update(ByteBuffer.allocate(4).putInt(nameBytes.length).array());
      mac.update(nameBytes);
      mac.update(content);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK provides HmacSHA256", e);
    }
  }

  @Override
  public String toString() {
    return "AuthenticatedDiskCache[" + directory + "]";
  }
}
