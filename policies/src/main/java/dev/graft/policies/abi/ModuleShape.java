package dev.graft.policies.abi;

import java.util.List;
import java.util.OptionalInt;

/**
 * What a module that passed {@link AbiValidator} looks like from the outside: the host reads it to
 * know which optional lifecycle calls to make and how much memory to allow.
 *
 * @param exports every export name the module has, sorted
 * @param optionalExports the optional {@code graft/1} exports present ({@code graft_init}, {@code
 *     graft_self_test}, {@code graft_save}, {@code graft_load}, {@code graft_alloc}, {@code
 *     _initialize}), sorted
 * @param imports every import as {@code module.name}, in the module's order
 * @param initialPages the memory's declared initial size in pages
 * @param declaredMaximumPages the memory's declared maximum, empty if it declares none
 * @param maximumPages the maximum the runtime will allow: the declared one, capped at the ceiling
 * @param notes things the host does that the module did not ask for, such as capping its memory
 */
public record ModuleShape(
    List<String> exports,
    List<String> optionalExports,
    List<String> imports,
    int initialPages,
    OptionalInt declaredMaximumPages,
    int maximumPages,
    List<String> notes) {

  public ModuleShape {
    exports = List.copyOf(exports);
    optionalExports = List.copyOf(optionalExports);
    imports = List.copyOf(imports);
    notes = List.copyOf(notes);
  }

  /** Whether the module exports {@code name} (any kind). */
  public boolean exports(String name) {
    return exports.contains(name);
  }
}
