package dev.graft.gateway.runtime;

import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A module's linear memory on one contiguous {@code byte[]}, read and written through little-endian
 * {@link VarHandle} views.
 *
 * <p>Chicory's {@code ByteArrayMemory} splits memory into 64 KiB pages, so every access masks the
 * address, tests for a page-straddling access and loads the page before the element; here an access
 * is one index check (the VarHandle's own) and one load. On the compute example that took a call
 * from 15.4 to 7.0 ms of CPU (benchmarks: ComputeCpuRatio, ComputeBenchmark). Growing copies the
 * array, which is cheap at the page counts grants allow and rare (modules grow at start-up, if
 * ever).
 *
 * <p>Every access is bounds-checked against the current size: an access outside it traps with
 * {@link WasmRuntimeException} "out of bounds memory access" and touches nothing. Shared memories
 * are refused (graft/1 modules are single-threaded, the ABI validator rejects them too), so the
 * instance is only ever used by one thread at a time and needs no locking.
 */
public final class FlatMemory implements Memory {
  private static final VarHandle SHORTS =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle FLOATS =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle DOUBLES =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  private final MemoryLimits limits;
  private final int maximumPages;
  private byte[] bytes;
  private DataSegment @Nullable [] dataSegments;

  /**
   * Allocates {@code limits.initialPages()} zeroed pages.
   *
   * @throws IllegalArgumentException if the limits describe a shared memory or an initial size
   *     above the maximum
   */
  public FlatMemory(MemoryLimits limits) {
    if (limits.shared()) {
      throw new IllegalArgumentException("shared memory is not supported");
    }
    this.limits = limits;
    this.maximumPages = Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
    if (limits.initialPages() > maximumPages) {
      throw new IllegalArgumentException(
          "initial size of "
              + limits.initialPages()
              + " pages is above the maximum of "
              + maximumPages);
    }
    this.bytes = new byte[limits.initialPages() * PAGE_SIZE];
  }

  @Override
  public int pages() {
    return bytes.length / PAGE_SIZE;
  }

  @Override
  public int grow(int delta) {
    int previous = pages();
    // delta is an unsigned i32: a negative int is a request for more than 2^31 pages.
    if (delta < 0 || delta > maximumPages - previous) {
      return -1;
    }
    if (delta == 0) {
      return previous;
    }
    byte[] grown;
    try {
      grown = Arrays.copyOf(bytes, (previous + delta) * PAGE_SIZE);
    } catch (OutOfMemoryError e) {
      // memory.grow's answer to an allocation it cannot satisfy is -1, not a dead host.
      return -1;
    }
    bytes = grown;
    return previous;
  }

  @Override
  public int initialPages() {
    return limits.initialPages();
  }

  @Override
  public int maximumPages() {
    return maximumPages;
  }

  @Override
  public boolean shared() {
    return false;
  }

  /** Single-threaded memory: the default atomic operations may synchronise on the memory itself. */
  @Override
  @Deprecated
  @SuppressWarnings("removal")
  public Object lock(int address) {
    return this;
  }

  @Override
  @Deprecated
  @SuppressWarnings("removal")
  public int waitOn(int address, int expected, long timeout) {
    throw new ChicoryException("memory.atomic.wait on a non-shared memory");
  }

  @Override
  @Deprecated
  @SuppressWarnings("removal")
  public int waitOn(int address, long expected, long timeout) {
    throw new ChicoryException("memory.atomic.wait on a non-shared memory");
  }

  /** No thread can wait on a non-shared memory, so none is woken. */
  @Override
  @Deprecated
  @SuppressWarnings("removal")
  public int notify(int address, int maxThreads) {
    return 0;
  }

  @Override
  public void initialize(Instance instance, DataSegment[] segments) {
    initialize(instance, segments, 0);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] segments, int memoryIndex) {
    this.dataSegments = segments;
    if (segments == null) {
      return;
    }
    for (DataSegment segment : segments) {
      if (segment instanceof ActiveDataSegment active) {
        if (active.index() != memoryIndex) {
          continue;
        }
        byte[] data = active.data();
        int offset =
            (int) ConstantEvaluators.computeConstantValue(instance, active.offsetInstructions())[0];
        if (!fits(offset, data.length, bytes.length)) {
          throw new UninstantiableException(outOfBounds(offset, data.length));
        }
        System.arraycopy(data, 0, bytes, offset, data.length);
      } else if (!(segment instanceof PassiveDataSegment)) {
        throw new ChicoryException("data segment is neither active nor passive: " + segment);
      }
    }
  }

  @Override
  public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
    DataSegment[] segments = dataSegments;
    if (segments == null || segmentId < 0 || segmentId >= segments.length) {
      throw new WasmRuntimeException("unknown data segment " + segmentId);
    }
    write(dest, segments[segmentId].data(), offset, size);
  }

  @Override
  public void drop(int segment) {
    DataSegment[] segments = dataSegments;
    if (segments != null && segment >= 0 && segment < segments.length) {
      segments[segment] = PassiveDataSegment.EMPTY;
    }
  }

  /** Whether {@code [addr, addr + size)} lies within {@code [0, limit)}, without overflow. */
  private static boolean fits(int addr, int size, int limit) {
    return addr >= 0 && size >= 0 && addr <= limit && size <= limit - addr;
  }

  private String outOfBounds(int addr, long size) {
    return "out of bounds memory access: address "
        + Integer.toUnsignedString(addr)
        + ", "
        + size
        + " bytes, memory size "
        + bytes.length;
  }

  private WasmRuntimeException trap(int addr, long size) {
    return new WasmRuntimeException(outOfBounds(addr, size));
  }

  private void check(int addr, int size) {
    if (!fits(addr, size, bytes.length)) {
      throw trap(addr, Integer.toUnsignedLong(size));
    }
  }

  @Override
  public void write(int addr, byte[] data, int offset, int size) {
    if (!fits(offset, size, data.length)) {
      throw new WasmRuntimeException(
          "out of bounds memory access: source offset "
              + offset
              + ", "
              + size
              + " bytes, source size "
              + data.length);
    }
    check(addr, size);
    System.arraycopy(data, offset, bytes, addr, size);
  }

  @Override
  public byte[] readBytes(int addr, int len) {
    check(addr, len);
    return Arrays.copyOfRange(bytes, addr, addr + len);
  }

  @Override
  public void copy(int dest, int src, int size) {
    check(dest, size);
    check(src, size);
    System.arraycopy(bytes, src, bytes, dest, size);
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    check(fromIndex, toIndex - fromIndex);
    Arrays.fill(bytes, fromIndex, toIndex, value);
  }

  @Override
  public void zero() {
    Arrays.fill(bytes, (byte) 0);
  }

  // The accessors below rely on the array's and the VarHandles' own index checks (negative or past
  // the end throws IndexOutOfBoundsException before anything is read or written): C2 folds them
  // into
  // the access, which explicit checks would only duplicate.

  @Override
  public byte read(int addr) {
    try {
      return bytes[addr];
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 1);
    }
  }

  @Override
  public void writeByte(int addr, byte data) {
    try {
      bytes[addr] = data;
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 1);
    }
  }

  @Override
  public short readShort(int addr) {
    try {
      return (short) SHORTS.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 2);
    }
  }

  @Override
  public long readU16(int addr) {
    return readShort(addr) & 0xFFFFL;
  }

  @Override
  public void writeShort(int addr, short data) {
    try {
      SHORTS.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 2);
    }
  }

  @Override
  public int readInt(int addr) {
    try {
      return (int) INTS.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 4);
    }
  }

  @Override
  public void writeI32(int addr, int data) {
    try {
      INTS.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 4);
    }
  }

  @Override
  public long readLong(int addr) {
    try {
      return (long) LONGS.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 8);
    }
  }

  @Override
  public void writeLong(int addr, long data) {
    try {
      LONGS.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 8);
    }
  }

  @Override
  public float readFloat(int addr) {
    try {
      return (float) FLOATS.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 4);
    }
  }

  /**
   * The raw bits of the f32 at {@code addr}, sign-extended as Chicory's own memories return them.
   */
  @Override
  public long readF32(int addr) {
    return readInt(addr);
  }

  @Override
  public void writeF32(int addr, float data) {
    try {
      FLOATS.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 4);
    }
  }

  @Override
  public double readDouble(int addr) {
    try {
      return (double) DOUBLES.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 8);
    }
  }

  @Override
  public long readF64(int addr) {
    return readLong(addr);
  }

  @Override
  public void writeF64(int addr, double data) {
    try {
      DOUBLES.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw trap(addr, 8);
    }
  }
}
