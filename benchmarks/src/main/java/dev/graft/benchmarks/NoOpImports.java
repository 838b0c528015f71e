package dev.graft.benchmarks;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.util.ArrayList;
import java.util.List;

/**
 * Every function a module imports, bound to a host function that does nothing and returns zeros:
 * the same stubs examples/compute/run-node.mjs gives V8, so both engines run identical work.
 */
final class NoOpImports {
  private NoOpImports() {}

  static ImportValues forModule(WasmModule module) {
    List<ImportFunction> functions = new ArrayList<>();
    var section = module.importSection();
    for (int i = 0; i < section.importCount(); i++) {
      if (!(section.getImport(i) instanceof FunctionImport f)) {
        throw new IllegalArgumentException(
            "unexpected non-function import "
                + section.getImport(i).module()
                + "."
                + section.getImport(i).name());
      }
      FunctionType type = module.typeSection().getType(f.typeIndex());
      long[] zeros = new long[type.returns().size()];
      functions.add(new HostFunction(f.module(), f.name(), type, (instance, args) -> zeros));
    }
    return ImportValues.builder().withFunctions(functions).build();
  }
}
