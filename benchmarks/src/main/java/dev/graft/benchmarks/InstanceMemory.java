package dev.graft.benchmarks;

import dev.graft.gateway.runtime.CompiledModuleCache;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * P4: heap per running module beyond its linear memory, target at most 1 MiB. Starts {@code count}
 * ControlLogic objects of the thermostat (sharing one compiled module through the cache, as a
 * gateway does), forces GC, and divides the growth of used heap by {@code count}; the module's
 * initial linear memory (pages × 64 KiB, held on the heap by Chicory) is subtracted. Repeated a few
 * times; writes {@code {"count":..,"linear_bytes":..,"bytes_beyond_linear":[..]}} to the file named
 * by the first argument. Run by benchmarks/run, not by JMH: the figure is a size, not a time.
 *
 * <p>Each ControlLogic also owns a worker thread; its stack is native memory and not counted.
 */
public final class InstanceMemory {
  private InstanceMemory() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length < 1) {
      throw new IllegalArgumentException(
          "usage: InstanceMemory <output.json> [count] [repeats] [module]");
    }
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    // A fourth argument names another module in the examples' wasm directory, such as one built
    // at every structure ceiling of the grant (docs/runtime.md, P4).
    String module = args.length > 3 ? args[3] : "thermostat";
    byte[] wasm = ExampleFiles.wasm(module);
    Manifest manifest = ExampleFiles.manifest(module);
    Grant grant = ExampleFiles.boilerSite();
    CompiledModuleCache cache = CompiledModuleCache.withCapacity(1);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long linearBytes;
    try (ControlLogic first = ControlLogic.builder(wasm, manifest, grant).cache(cache).build()) {
      linearBytes = (long) first.memoryLimits().initialPages() * 65536;
    }
    StringJoiner samples = new StringJoiner(",");
    for (int r = 0; r < repeats; r++) {
      long before = usedAfterGc(memory);
      List<ControlLogic> running = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        running.add(ControlLogic.builder(wasm, manifest, grant).cache(cache).build());
      }
      long after = usedAfterGc(memory);
      long perInstance = (after - before) / count - linearBytes;
      samples.add(Long.toString(perInstance));
      System.out.printf(
          "P4 repetition %d: %d instances, heap +%d bytes, %d bytes each beyond %d of linear"
              + " memory%n",
          r + 1, running.size(), after - before, perInstance, linearBytes);
      for (ControlLogic logic : running) {
        logic.close();
      }
      running.clear();
    }
    String json =
        "{\"count\":"
            + count
            + ",\"linear_bytes\":"
            + linearBytes
            + ",\"bytes_beyond_linear\":["
            + samples
            + "]}\n";
    Files.writeString(Path.of(args[0]), json, StandardCharsets.UTF_8);
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    // Several rounds: one System.gc() may leave objects that finalise or clean up on the next.
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
