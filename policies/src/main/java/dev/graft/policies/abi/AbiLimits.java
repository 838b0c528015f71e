package dev.graft.policies.abi;

/**
 * The ceilings a module is validated against: its size in bytes, and the grant's memory ceiling in
 * 64 KiB pages.
 *
 * @param maxModuleBytes largest module accepted, checked before the parser sees a byte
 * @param maxMemoryPages the grant's memory ceiling; a larger declared initial size is refused, a
 *     larger or missing declared maximum is capped here by the runtime
 */
public record AbiLimits(long maxModuleBytes, int maxMemoryPages) {

  /** The most pages a 32-bit WebAssembly memory can have (4 GiB). */
  public static final int MAX_WASM_PAGES = 65_536;

  public AbiLimits {
    if (maxModuleBytes <= 0) {
      throw new IllegalArgumentException("maxModuleBytes must be positive, was " + maxModuleBytes);
    }
    if (maxMemoryPages <= 0 || maxMemoryPages > MAX_WASM_PAGES) {
      throw new IllegalArgumentException(
          "maxMemoryPages must be between 1 and " + MAX_WASM_PAGES + ", was " + maxMemoryPages);
    }
  }
}
