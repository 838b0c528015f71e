package dev.graft.policies.abi;

import dev.graft.policies.Grant;

/**
 * The ceilings a module is validated against: its size in bytes, and the grant's ceilings on what
 * each instance makes the host allocate (linear memory, table entries, element-segment entries,
 * globals, functions).
 *
 * @param maxModuleBytes largest module accepted, checked before the parser sees a byte
 * @param maxMemoryPages the grant's memory ceiling; a larger declared initial size is refused, a
 *     larger or missing declared maximum is capped here by the runtime
 * @param maxTableEntries the grant's table ceiling; a larger declared initial size is refused, a
 *     larger or missing declared maximum is capped here by the runtime ({@code table.grow} beyond
 *     it returns -1)
 * @param maxElementEntries the most entries all element segments together may hold
 * @param maxGlobals the most globals a module may define
 * @param maxFunctions the most functions, imported and defined, a module may have
 */
public record AbiLimits(
    long maxModuleBytes,
    int maxMemoryPages,
    long maxTableEntries,
    long maxElementEntries,
    int maxGlobals,
    int maxFunctions) {

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
    if (maxTableEntries < 0 || maxElementEntries < 0 || maxGlobals < 0 || maxFunctions < 1) {
      throw new IllegalArgumentException(
          "table, element and global ceilings must not be negative and the function ceiling must"
              + " be positive");
    }
  }

  /**
   * Limits with the grant's default table, element, global and function ceilings ({@link
   * Grant.Ceilings#DEFAULT_TABLE_ENTRIES} and the others).
   */
  public AbiLimits(long maxModuleBytes, int maxMemoryPages) {
    this(
        maxModuleBytes,
        maxMemoryPages,
        Grant.Ceilings.DEFAULT_TABLE_ENTRIES,
        Grant.Ceilings.DEFAULT_ELEMENT_ENTRIES,
        Grant.Ceilings.DEFAULT_GLOBALS,
        Grant.Ceilings.DEFAULT_FUNCTIONS);
  }

  /** Limits from a grant's ceilings, with memory capped at {@code maxMemoryPages}. */
  public static AbiLimits of(long maxModuleBytes, int maxMemoryPages, Grant.Ceilings ceilings) {
    return new AbiLimits(
        maxModuleBytes,
        maxMemoryPages,
        ceilings.tableEntries(),
        ceilings.elementEntries(),
        ceilings.globals(),
        ceilings.functions());
  }
}
