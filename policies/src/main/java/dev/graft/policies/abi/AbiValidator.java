package dev.graft.policies.abi;

import static com.dylibso.chicory.wasm.types.ValType.F64;
import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.CodeSection;
import com.dylibso.chicory.wasm.types.ElementSection;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.GlobalSection;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.SubType;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableSection;
import com.dylibso.chicory.wasm.types.TypeSection;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.SequencedMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Checks a module's bytes against ABI {@code graft/1} (design: module-abi.md) before anything is
 * instantiated, and reports every violation at once. It reads only the module's declarations
 * (imports, exports, memory, start section) through Chicory's parser; it runs no code.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>what</th><th>rule</th></tr>
 *   <tr><td>size</td><td>at most {@link AbiLimits#maxModuleBytes()}, checked before parsing</td></tr>
 *   <tr><td>bytes</td><td>must parse and validate as WebAssembly (Chicory's message is kept)</td></tr>
 *   <tr><td>required exports</td><td>{@code memory} (a memory) and
 *       {@code graft_tick: (i64) -> i32}</td></tr>
 *   <tr><td>optional exports</td><td>exact signatures: {@code graft_init: () -> i32},
 *       {@code graft_self_test: () -> i32}, {@code graft_save: () -> i64},
 *       {@code graft_load: (i32, i32) -> i32}, {@code graft_alloc: (i32) -> i32},
 *       {@code _initialize: () -> ()}; other exports are ignored</td></tr>
 *   <tr><td>{@code graft_load}</td><td>requires {@code graft_alloc}</td></tr>
 *   <tr><td>{@code _start}</td><td>refused: modules are WASI reactors, not commands</td></tr>
 *   <tr><td>start section</td><td>refused: whether a start function does more than initialise
 *       memory cannot be told statically</td></tr>
 *   <tr><td>imports from {@code graft}</td><td>only {@code point_get: (i32) -> f64},
 *       {@code point_quality: (i32) -> i32}, {@code point_set: (i32, f64) -> i32},
 *       {@code log: (i32, i32, i32) -> ()}, {@code metric: (i32, i32, f64) -> ()}</td></tr>
 *   <tr><td>imports from {@code wasi_snapshot_preview1}</td><td>only {@code fd_write},
 *       {@code fd_close}, {@code fd_seek}, {@code fd_fdstat_get}, {@code args_get},
 *       {@code args_sizes_get}, {@code environ_get}, {@code environ_sizes_get},
 *       {@code clock_time_get}, {@code random_get}, {@code sched_yield}, {@code proc_exit}, each
 *       with its preview1 signature</td></tr>
 *   <tr><td>other imports</td><td>refused: any other module, and any imported memory, table,
 *       global or tag</td></tr>
 *   <tr><td>memory</td><td>exactly one, defined by the module, not shared; initial pages at most
 *       {@link AbiLimits#maxMemoryPages()}; a missing or larger maximum is capped at that ceiling
 *       and noted in {@link ModuleShape#notes()}, not refused</td></tr>
 *   <tr><td>features</td><td>the MVP with mutable globals, sign extension, non-trapping
 *       float-to-int, bulk memory, multi-value and the table instructions of reference types on
 *       the one funcref table; GC, typed function references, exception handling, tail calls,
 *       threads, SIMD and reference types beyond that table are refused, each named</td></tr>
 *   <tr><td>tables</td><td>at most one, of funcref, initial size at most {@link
 *       AbiLimits#maxTableEntries()}; a larger or missing maximum is capped by the runtime and
 *       noted</td></tr>
 *   <tr><td>element segments, globals, functions</td><td>at most {@link
 *       AbiLimits#maxElementEntries()} entries in all, {@link AbiLimits#maxGlobals()} globals,
 *       {@link AbiLimits#maxFunctions()} functions (imported and defined)</td></tr>
 * </table>
 *
 * <p>Chicory reads a memory without a declared maximum as one of 65,536 pages, so a declared
 * maximum of exactly 4 GiB is treated as no maximum; both end up capped at the ceiling.
 */
public final class AbiValidator {

  static final String GRAFT_MODULE = "graft";
  static final String WASI_MODULE = "wasi_snapshot_preview1";

  private static final FunctionType TICK = type(List.of(I64), List.of(I32));

  private static final SequencedMap<String, FunctionType> OPTIONAL_EXPORTS = new LinkedHashMap<>();

  private static final SequencedMap<String, FunctionType> GRAFT_IMPORTS = new LinkedHashMap<>();

  private static final SequencedMap<String, FunctionType> WASI_IMPORTS = new LinkedHashMap<>();

  static {
    OPTIONAL_EXPORTS.put("graft_init", type(List.of(), List.of(I32)));
    OPTIONAL_EXPORTS.put("graft_self_test", type(List.of(), List.of(I32)));
    OPTIONAL_EXPORTS.put("graft_save", type(List.of(), List.of(I64)));
    OPTIONAL_EXPORTS.put("graft_load", type(List.of(I32, I32), List.of(I32)));
    OPTIONAL_EXPORTS.put("graft_alloc", type(List.of(I32), List.of(I32)));
    OPTIONAL_EXPORTS.put("_initialize", type(List.of(), List.of()));

    GRAFT_IMPORTS.put("point_get", type(List.of(I32), List.of(F64)));
    GRAFT_IMPORTS.put("point_quality", type(List.of(I32), List.of(I32)));
    GRAFT_IMPORTS.put("point_set", type(List.of(I32, F64), List.of(I32)));
    GRAFT_IMPORTS.put("log", type(List.of(I32, I32, I32), List.of()));
    GRAFT_IMPORTS.put("metric", type(List.of(I32, I32, F64), List.of()));

    // Signatures as in WASI preview1's witx; every errno result is an i32.
    WASI_IMPORTS.put("fd_write", type(List.of(I32, I32, I32, I32), List.of(I32)));
    WASI_IMPORTS.put("fd_close", type(List.of(I32), List.of(I32)));
    WASI_IMPORTS.put("fd_seek", type(List.of(I32, I64, I32, I32), List.of(I32)));
    WASI_IMPORTS.put("fd_fdstat_get", type(List.of(I32, I32), List.of(I32)));
    WASI_IMPORTS.put("args_get", type(List.of(I32, I32), List.of(I32)));
    WASI_IMPORTS.put("args_sizes_get", type(List.of(I32, I32), List.of(I32)));
    WASI_IMPORTS.put("environ_get", type(List.of(I32, I32), List.of(I32)));
    WASI_IMPORTS.put("environ_sizes_get", type(List.of(I32, I32), List.of(I32)));
    WASI_IMPORTS.put("clock_time_get", type(List.of(I32, I64, I32), List.of(I32)));
    WASI_IMPORTS.put("random_get", type(List.of(I32, I32), List.of(I32)));
    WASI_IMPORTS.put("sched_yield", type(List.of(), List.of(I32)));
    WASI_IMPORTS.put("proc_exit", type(List.of(I32), List.of()));
  }

  private AbiValidator() {}

  /**
   * Validates {@code wasm} against ABI {@code graft/1} within {@code limits}.
   *
   * @return the module's shape, if it breaks no rule
   * @throws AbiViolationException naming every rule the module breaks
   */
  public static ModuleShape validate(byte[] wasm, AbiLimits limits) {
    if (wasm.length > limits.maxModuleBytes()) {
      throw new AbiViolationException(
          List.of(
              "module is "
                  + wasm.length
                  + " bytes, above the limit of "
                  + limits.maxModuleBytes()
                  + " bytes; it was not parsed"));
    }
    WasmModule module;
    try {
      module = Parser.parse(wasm);
    } catch (RuntimeException e) {
      // Chicory reports malformed and invalid modules with its own exceptions, but truncated
      // input can also surface as a buffer exception; either way the bytes are not a module.
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new AbiViolationException(List.of("module is not valid WebAssembly: " + reason), e);
    }
    return new Check(module, limits).run();
  }

  /** One validation: collects violations while walking the module once. */
  private static final class Check {
    private final WasmModule module;
    private final AbiLimits limits;
    private final List<String> violations = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<FunctionType> importedFunctionTypes = new ArrayList<>();

    Check(WasmModule module, AbiLimits limits) {
      this.module = module;
      this.limits = limits;
    }

    ModuleShape run() {
      List<String> imports = checkImports();
      Map<String, Export> exports = exportsByName();
      checkRequiredExports(exports);
      List<String> optional = checkOptionalExports(exports);
      checkForbiddenEntryPoints(exports);
      MemoryLimits memory = checkMemory();
      checkFeatures();
      checkTablesAndCounts();
      if (!violations.isEmpty()) {
        throw new AbiViolationException(violations);
      }
      // checkMemory only returns null when it also recorded a violation.
      MemoryLimits declared = Objects.requireNonNull(memory);
      OptionalInt declaredMaximum =
          declared.maximumPages() >= AbiLimits.MAX_WASM_PAGES
              ? OptionalInt.empty()
              : OptionalInt.of(declared.maximumPages());
      int ceiling = limits.maxMemoryPages();
      int maximum = Math.min(declared.maximumPages(), ceiling);
      if (declaredMaximum.isEmpty()) {
        notes.add(
            "memory declares no maximum; the runtime caps it at the grant's ceiling of "
                + ceiling
                + " pages");
      } else if (declaredMaximum.getAsInt() > ceiling) {
        notes.add(
            "memory declares a maximum of "
                + declaredMaximum.getAsInt()
                + " pages; the runtime caps it at the grant's ceiling of "
                + ceiling
                + " pages");
      }
      return new ModuleShape(
          exports.keySet().stream().sorted().toList(),
          optional.stream().sorted().toList(),
          imports,
          declared.initialPages(),
          declaredMaximum,
          maximum,
          notes);
    }

    private List<String> checkImports() {
      var section = module.importSection();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < section.importCount(); i++) {
        Import imported = section.getImport(i);
        String qualified = imported.module() + "." + imported.name();
        names.add(qualified);
        if (!(imported instanceof FunctionImport function)) {
          violations.add(
              "imports "
                  + kind(imported.importType())
                  + " "
                  + qualified
                  + "; graft/1 modules may import only functions, and must define their own"
                  + " memory, tables and globals");
          continue;
        }
        FunctionType actual = typeAt(function.typeIndex());
        importedFunctionTypes.add(actual);
        switch (imported.module()) {
          case GRAFT_MODULE ->
              checkImport(
                  qualified, imported.name(), actual, GRAFT_IMPORTS, "is not part of graft/1");
          case WASI_MODULE ->
              checkImport(
                  qualified,
                  imported.name(),
                  actual,
                  WASI_IMPORTS,
                  "is not in the WASI subset graft/1 allows");
          default ->
              violations.add(
                  "import "
                      + qualified
                      + " "
                      + render(actual)
                      + " is from module '"
                      + imported.module()
                      + "'; graft/1 modules may import only from '"
                      + GRAFT_MODULE
                      + "' and '"
                      + WASI_MODULE
                      + "'");
        }
      }
      return names;
    }

    private void checkImport(
        String qualified,
        String name,
        FunctionType actual,
        Map<String, FunctionType> allowed,
        String refusal) {
      FunctionType expected = allowed.get(name);
      if (expected == null) {
        violations.add(
            "import "
                + qualified
                + " "
                + render(actual)
                + " "
                + refusal
                + "; allowed: "
                + String.join(", ", allowed.keySet()));
      } else if (!expected.equals(actual)) {
        violations.add(
            "import "
                + qualified
                + " has signature "
                + render(actual)
                + "; graft/1 defines "
                + name
                + ": "
                + render(expected));
      }
    }

    private Map<String, Export> exportsByName() {
      var section = module.exportSection();
      Map<String, Export> exports = new LinkedHashMap<>();
      for (int i = 0; i < section.exportCount(); i++) {
        Export export = section.getExport(i);
        exports.put(export.name(), export);
      }
      return exports;
    }

    private void checkRequiredExports(Map<String, Export> exports) {
      Export memory = exports.get("memory");
      if (memory == null) {
        violations.add(
            "required export 'memory' is missing; the host reads and writes the module's memory"
                + " through it");
      } else if (memory.exportType() != ExternalType.MEMORY) {
        violations.add(
            "export 'memory' is " + kind(memory.exportType()) + ", but graft/1 needs a memory");
      }
      Export tick = exports.get("graft_tick");
      if (tick == null) {
        violations.add("required export 'graft_tick' " + render(TICK) + " is missing");
      } else {
        checkFunctionExport(tick, TICK);
      }
    }

    private List<String> checkOptionalExports(Map<String, Export> exports) {
      List<String> present = new ArrayList<>();
      for (var optional : OPTIONAL_EXPORTS.entrySet()) {
        Export export = exports.get(optional.getKey());
        if (export != null) {
          present.add(optional.getKey());
          checkFunctionExport(export, optional.getValue());
        }
      }
      if (exports.containsKey("graft_load") && !exports.containsKey("graft_alloc")) {
        violations.add(
            "exports 'graft_load' without 'graft_alloc'; the host writes the handed-over state into"
                + " memory the module allocated with graft_alloc");
      }
      return present;
    }

    private void checkFunctionExport(Export export, FunctionType expected) {
      if (export.exportType() != ExternalType.FUNCTION) {
        violations.add(
            "export '"
                + export.name()
                + "' is "
                + kind(export.exportType())
                + ", but graft/1 needs a function "
                + render(expected));
        return;
      }
      FunctionType actual = functionType(export.index());
      if (!expected.equals(actual)) {
        violations.add(
            "export '"
                + export.name()
                + "' has signature "
                + render(actual)
                + "; graft/1 requires "
                + render(expected));
      }
    }

    private void checkForbiddenEntryPoints(Map<String, Export> exports) {
      if (exports.containsKey("_start")) {
        violations.add(
            "exports '_start', so it is a WASI command; graft/1 modules are reactors (build with"
                + " -mexec-model=reactor)");
      }
      module
          .startSection()
          .ifPresent(start ->
              violations.add(
                  "has a start section (function "
                      + start.startIndex()
                      + "); a start function runs during instantiation and whether it does"
                      + " more than initialise memory cannot be checked statically, so"
                      + " graft/1 refuses it — initialise in _initialize or graft_init"));
    }

    private @Nullable MemoryLimits checkMemory() {
      var section = module.memorySection();
      int count = section.map(s -> s.memoryCount()).orElse(0);
      if (count == 0) {
        violations.add("defines no memory; graft/1 modules define exactly one and export it");
        return null;
      }
      if (count > 1) {
        violations.add("defines " + count + " memories; graft/1 modules define exactly one");
      }
      MemoryLimits memory = section.orElseThrow().getMemory(0).limits();
      if (memory.shared()) {
        violations.add("memory is shared; graft/1 modules are single-threaded");
      }
      if (memory.initialPages() > limits.maxMemoryPages()) {
        violations.add(
            "memory declares "
                + memory.initialPages()
                + " initial pages, above the grant's ceiling of "
                + limits.maxMemoryPages()
                + " pages");
      }
      return memory;
    }

    /**
     * Refuses every WebAssembly proposal graft/1 does not need, naming it. The instruction set
     * accepted is the MVP with mutable globals, sign extension, non-trapping float-to-int, bulk
     * memory, multi-value and, for the one funcref table, the table instructions of reference
     * types; each feature is reported once, with where it was first seen.
     */
    private void checkFeatures() {
      Map<Feature, String> found = new LinkedHashMap<>();
      TypeSection types = module.typeSection();
      for (int i = 0; i < types.subTypeCount(); i++) {
        SubType sub = types.getSubType(i);
        if (sub.compType().funcType() == null) {
          found.putIfAbsent(Feature.GC, "type " + i + " is a struct or array type");
        } else if (sub.typeIdx().length > 0 || !sub.isFinal()) {
          found.putIfAbsent(Feature.GC, "type " + i + " declares subtyping");
        } else {
          FunctionType function = sub.compType().funcType();
          for (ValType v : function.params()) {
            valueType(v, "type " + i, found);
          }
          for (ValType v : function.returns()) {
            valueType(v, "type " + i, found);
          }
        }
      }
      if (module.tagSection().map(t -> t.tagCount() > 0).orElse(false)) {
        found.putIfAbsent(Feature.EXCEPTIONS, "the module defines tags");
      }
      GlobalSection globals = module.globalSection();
      for (int i = 0; i < globals.globalCount(); i++) {
        valueType(globals.getGlobal(i).valueType(), "global " + i, found);
      }
      CodeSection code = module.codeSection();
      int imported = importedFunctionTypes.size();
      for (int f = 0; f < code.functionBodyCount(); f++) {
        FunctionBody body = code.getFunctionBody(f);
        String where = "function " + (imported + f);
        for (ValType v : body.localTypes()) {
          valueType(v, where + "'s locals", found);
        }
        for (Instruction instruction : body.instructions()) {
          Feature feature = Feature.of(instruction.opcode());
          if (feature != null) {
            found.putIfAbsent(
                feature, where + " uses " + instruction.opcode().name().toLowerCase(Locale.ROOT));
          }
        }
      }
      found.forEach((feature, where) ->
          violations.add(
              "uses the "
                  + feature.title
                  + " proposal ("
                  + where
                  + "), which graft/1 does not allow; graft/1 accepts the MVP with mutable"
                  + " globals, sign extension, non-trapping float-to-int, bulk memory and"
                  + " multi-value, and one funcref table"));
    }

    private static void valueType(ValType type, String where, Map<Feature, String> found) {
      if (type.isNumeric() && !type.equals(ValType.V128)) {
        return;
      }
      if (type.equals(ValType.V128)) {
        found.putIfAbsent(Feature.SIMD, where + " has a v128 value");
      } else if (type.equals(ValType.FuncRef) || type.equals(ValType.ExternRef)) {
        found.putIfAbsent(Feature.REFERENCE_TYPES, where + " has a " + type.name() + " value");
      } else if (type.equals(ValType.ExnRef)) {
        found.putIfAbsent(Feature.EXCEPTIONS, where + " has an exnref value");
      } else {
        found.putIfAbsent(Feature.GC, where + " has a " + typeName(type) + " value");
      }
    }

    /**
     * Checks the structures an instance allocates besides its memory against the grant's ceilings:
     * one table of funcref with an initial size within {@code table_entries} (a larger or missing
     * maximum is capped by the runtime), element segments, globals and functions.
     */
    private void checkTablesAndCounts() {
      TableSection tables = module.tableSection();
      if (tables.tableCount() > 1) {
        violations.add(
            "defines "
                + tables.tableCount()
                + " tables; graft/1 allows one funcref table (several tables are part of the"
                + " reference types proposal)");
      }
      if (tables.tableCount() > 0) {
        Table table = tables.getTable(0);
        if (!table.elementType().equals(ValType.FuncRef)) {
          violations.add(
              "table 0 holds "
                  + typeName(table.elementType())
                  + "; graft/1 allows one funcref table (other element types are part of the"
                  + " reference types or GC proposals)");
        }
        long initial = table.limits().min();
        if (initial > limits.maxTableEntries()) {
          violations.add(
              "table 0 declares "
                  + initial
                  + " initial entries, above the grant's ceiling of "
                  + limits.maxTableEntries()
                  + " (ceilings.table_entries)");
        } else if (table.limits().max() > limits.maxTableEntries()) {
          notes.add(
              "table 0 may grow beyond the grant's ceiling of "
                  + limits.maxTableEntries()
                  + " entries; the runtime caps it there");
        }
      }
      long elements = 0;
      ElementSection section = module.elementSection();
      for (int i = 0; i < section.elementCount(); i++) {
        elements += section.getElement(i).elementCount();
      }
      if (elements > limits.maxElementEntries()) {
        violations.add(
            "element segments hold "
                + elements
                + " entries, above the grant's ceiling of "
                + limits.maxElementEntries()
                + " (ceilings.element_entries)");
      }
      int globals = module.globalSection().globalCount();
      if (globals > limits.maxGlobals()) {
        violations.add(
            "defines "
                + globals
                + " globals, above the grant's ceiling of "
                + limits.maxGlobals()
                + " (ceilings.globals)");
      }
      long functions =
          (long) importedFunctionTypes.size() + module.functionSection().functionCount();
      if (functions > limits.maxFunctions()) {
        violations.add(
            "has "
                + functions
                + " functions, above the grant's ceiling of "
                + limits.maxFunctions()
                + " (ceilings.functions)");
      }
    }

    /** The type of function {@code index} in the module's function index space. */
    private FunctionType functionType(long index) {
      if (index < importedFunctionTypes.size()) {
        return importedFunctionTypes.get((int) index);
      }
      long local = index - importedFunctionTypes.size();
      var functions = module.functionSection();
      if (local >= functions.functionCount()) {
        // Chicory's validation rejects this already; kept so a gap cannot pass unnoticed.
        violations.add("refers to function " + index + ", which the module does not define");
        throw new AbiViolationException(violations);
      }
      return typeAt(functions.getFunctionType((int) local));
    }

    private FunctionType typeAt(int typeIndex) {
      var types = module.typeSection();
      if (typeIndex < 0 || typeIndex >= types.typeCount()) {
        // Chicory's validation rejects this already; kept so a gap cannot pass unnoticed.
        violations.add("refers to type " + typeIndex + ", which the module does not define");
        throw new AbiViolationException(violations);
      }
      return types.getType(typeIndex);
    }
  }

  /** A WebAssembly proposal graft/1 refuses, by the instructions that belong to it. */
  enum Feature {
    GC("GC"),
    FUNCTION_REFERENCES("typed function references"),
    EXCEPTIONS("exception handling"),
    TAIL_CALLS("tail call"),
    THREADS("threads"),
    SIMD("SIMD"),
    REFERENCE_TYPES("reference types");

    private final String title;

    Feature(String title) {
      this.title = title;
    }

    /** The refused proposal {@code opcode} belongs to, or null if graft/1 accepts it. */
    static @Nullable Feature of(OpCode opcode) {
      String name = opcode.name();
      return switch (opcode) {
        case RETURN_CALL, RETURN_CALL_INDIRECT, RETURN_CALL_REF -> TAIL_CALLS;
        case THROW, THROW_REF, TRY_TABLE -> EXCEPTIONS;
        case CALL_REF, REF_AS_NON_NULL, BR_ON_NULL, BR_ON_NON_NULL -> FUNCTION_REFERENCES;
        case REF_EQ,
            REF_TEST,
            REF_TEST_NULL,
            CAST_TEST,
            CAST_TEST_NULL,
            BR_ON_CAST,
            BR_ON_CAST_FAIL,
            ANY_CONVERT_EXTERN,
            EXTERN_CONVERT_ANY,
            REF_I31,
            I31_GET_S,
            I31_GET_U ->
            GC;
        default -> {
          if (name.startsWith("STRUCT_") || name.startsWith("ARRAY_")) {
            yield GC;
          }
          if (name.startsWith("MEM_ATOMIC_")
              || name.startsWith("I32_ATOMIC_")
              || name.startsWith("I64_ATOMIC_")
              || opcode == OpCode.ATOMIC_FENCE) {
            yield THREADS;
          }
          if (name.startsWith("V128_")
              || name.startsWith("I8x16_")
              || name.startsWith("I16x8_")
              || name.startsWith("I32x4_")
              || name.startsWith("I64x2_")
              || name.startsWith("F32x4_")
              || name.startsWith("F64x2_")) {
            yield SIMD;
          }
          // ref.null, ref.is_null, ref.func, select with a type and the table instructions
          // act only on the one funcref table, whose size the runtime caps at the grant's
          // ceiling; bulk memory's memory.* and table.init/copy, elem.drop are allowed.
          yield null;
        }
      };
    }
  }

  private static FunctionType type(List<ValType> params, List<ValType> results) {
    return FunctionType.of(params, results);
  }

  private static String kind(ExternalType type) {
    return switch (type) {
      case FUNCTION -> "a function";
      case TABLE -> "a table";
      case MEMORY -> "a memory";
      case GLOBAL -> "a global";
      case TAG -> "a tag";
    };
  }

  /** WAT-like text of a signature, as module authors write it: {@code (i32, f64) -> i32}. */
  static String render(FunctionType type) {
    return "("
        + type.params().stream().map(AbiValidator::render).collect(Collectors.joining(", "))
        + ") -> "
        + (type.returns().size() == 1
            ? render(type.returns().getFirst())
            : type.returns().stream()
                .map(AbiValidator::render)
                .collect(Collectors.joining(", ", "(", ")")));
  }

  /** The WAT name of a value type, or what kind of reference it is. */
  private static String typeName(ValType type) {
    if (type.equals(ValType.FuncRef)) {
      return "funcref";
    }
    if (type.equals(ValType.ExternRef)) {
      return "externref";
    }
    if (type.equals(ValType.ExnRef)) {
      return "exnref";
    }
    if (type.equals(ValType.V128)) {
      return "v128";
    }
    return type.isReference() ? "typed or GC reference" : render(type);
  }

  private static String render(ValType type) {
    return type.name().toLowerCase(Locale.ROOT);
  }
}
