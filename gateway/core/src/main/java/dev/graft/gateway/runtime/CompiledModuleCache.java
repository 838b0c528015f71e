package dev.graft.gateway.runtime;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Compiled modules kept in memory, keyed by the module's SHA-256, least recently used evicted
 * first. Compiling takes hundreds of milliseconds; instantiating a compiled module well under one.
 *
 * <p>Nothing is kept on disk here: a cached entry is JVM bytecode that runs outside the WebAssembly
 * sandbox, so the on-disk cache behind it ({@link AuthenticatedDiskCache}) only uses entries
 * authenticated with a gateway-local key.
 */
public final class CompiledModuleCache {

  /**
   * A parsed module, the machine factory its compiled code provides, and the functions whose JVM
   * methods are above HotSpot's huge-method limit (bytecode bytes by function index).
   */
  public record Compiled(
      WasmModule module, Function<Instance, Machine> machines, SortedMap<Integer, Integer> huge) {
    public Compiled {
      huge = Collections.unmodifiableSortedMap(new TreeMap<>(huge));
    }
  }

  private final int capacity;
  private final LinkedHashMap<String, Compiled> entries;
  private long hits;
  private long misses;

  private CompiledModuleCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("cache capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
            return size() > CompiledModuleCache.this.capacity;
          }
        };
  }

  /** A cache holding at most {@code capacity} compiled modules. */
  public static CompiledModuleCache withCapacity(int capacity) {
    return new CompiledModuleCache(capacity);
  }

  /**
   * The compiled module for {@code sha256}, compiling it with {@code compiler} on a miss. Compiling
   * holds the cache's lock, so two loads of the same new module compile it once.
   */
  public synchronized Compiled get(
      byte[] sha256, boolean interpreterFallback, Supplier<Compiled> compiler) {
    // Code compiled with interpreter fallback may run some functions interpreted, so it is not
    // handed to a load that asked for the whole module compiled.
    String key = HexFormat.of().formatHex(sha256) + (interpreterFallback ? "+interpreter" : "");
    Compiled found = entries.get(key);
    if (found != null) {
      hits++;
      return found;
    }
    misses++;
    Compiled compiled = compiler.get();
    entries.put(key, compiled);
    return compiled;
  }

  public synchronized long hits() {
    return hits;
  }

  public synchronized long misses() {
    return misses;
  }

  public synchronized int size() {
    return entries.size();
  }

  public int capacity() {
    return capacity;
  }
}
