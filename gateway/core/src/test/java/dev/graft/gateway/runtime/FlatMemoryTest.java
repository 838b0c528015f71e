package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlatMemoryTest {
  private static final int SIZE = Memory.PAGE_SIZE;

  @Test
  void accessors_littleEndian_sameBytesAsChicorysMemory() {
    FlatMemory flat = new FlatMemory(new MemoryLimits(1, 1));
    ByteArrayMemory reference = new ByteArrayMemory(new MemoryLimits(1, 1));
    List<Consumer<Memory>> writes =
        List.of(
            m -> m.writeI32(0, 0x11223344),
            m -> m.writeLong(8, 0x0102030405060708L),
            m -> m.writeShort(20, (short) 0xBEEF),
            m -> m.writeF32(24, 1.5f),
            m -> m.writeF64(32, -2.25),
            m -> m.writeByte(40, (byte) 0x7f),
            m -> m.write(SIZE - 3, new byte[] {9, 8, 7}, 0, 3));
    for (Consumer<Memory> write : writes) {
      write.accept(flat);
      write.accept(reference);
    }

    assertThat(flat.readBytes(0, SIZE)).isEqualTo(reference.readBytes(0, SIZE));
    assertThat(flat.readInt(0)).isEqualTo(0x11223344);
    assertThat(flat.read(0)).isEqualTo((byte) 0x44);
    assertThat(flat.readLong(8)).isEqualTo(0x0102030405060708L);
    assertThat(flat.readU16(20)).isEqualTo(0xBEEFL);
    assertThat(flat.readFloat(24)).isEqualTo(1.5f);
    assertThat(flat.readF32(24)).isEqualTo(reference.readF32(24));
    assertThat(flat.readDouble(32)).isEqualTo(-2.25);
    assertThat(flat.readF64(32)).isEqualTo(reference.readF64(32));
  }

  @Test
  void accessors_lastByteInBounds_allowed() {
    FlatMemory memory = new FlatMemory(new MemoryLimits(1, 1));

    memory.writeLong(SIZE - 8, -1L);
    memory.writeI32(SIZE - 4, 5);

    assertThat(memory.readLong(SIZE - 8)).isEqualTo(0x00000005_FFFFFFFFL);
    assertThat(memory.read(SIZE - 1)).isZero();
  }

  /** Addresses that straddle or pass the end, and negative ones (unsigned above 2 GiB). */
  @ParameterizedTest
  @ValueSource(ints = {SIZE - 7, SIZE - 1, SIZE, Integer.MAX_VALUE, -1, Integer.MIN_VALUE})
  void accessors_outsideMemory_trapAndWriteNothing(int addr) {
    FlatMemory memory = new FlatMemory(new MemoryLimits(1, 1));
    byte[] before = memory.readBytes(0, SIZE);

    assertThatThrownBy(() -> memory.writeLong(addr, -1L))
        .isInstanceOf(WasmRuntimeException.class)
        .hasMessageStartingWith("out of bounds memory access");
    assertThatThrownBy(() -> memory.readLong(addr)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.writeF64(addr, 1.0)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.readDouble(addr)).isInstanceOf(WasmRuntimeException.class);
    assertThat(memory.readBytes(0, SIZE)).isEqualTo(before);
  }

  @Test
  void accessors_intAndByteOneAfterTheEnd_trap() {
    FlatMemory memory = new FlatMemory(new MemoryLimits(1, 1));

    assertThatThrownBy(() -> memory.readInt(SIZE - 3)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.writeI32(SIZE - 3, 1)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.readShort(SIZE - 1)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.read(SIZE)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.writeByte(SIZE, (byte) 1))
        .isInstanceOf(WasmRuntimeException.class);
  }

  @Test
  void bulk_rangeOutsideMemory_trapsAndWritesNothing() {
    FlatMemory memory = new FlatMemory(new MemoryLimits(1, 1));

    assertThatThrownBy(() -> memory.write(SIZE - 2, new byte[] {1, 2, 3}, 0, 3))
        .isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.write(0, new byte[] {1, 2, 3}, 2, 2))
        .isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.readBytes(1, SIZE)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.readBytes(Integer.MAX_VALUE, 2))
        .isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.fill((byte) 1, SIZE - 1, SIZE + 1))
        .isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.copy(0, SIZE - 1, 2)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> memory.copy(SIZE - 1, 0, 2)).isInstanceOf(WasmRuntimeException.class);
    assertThat(memory.readBytes(0, SIZE)).containsOnly(0);
  }

  @Test
  void copy_overlappingRanges_behavesLikeMemmove() {
    FlatMemory memory = new FlatMemory(new MemoryLimits(1, 1));
    memory.write(0, new byte[] {1, 2, 3, 4, 5}, 0, 5);

    memory.copy(1, 0, 4);

    assertThat(memory.readBytes(0, 5)).containsExactly(1, 1, 2, 3, 4);
  }

  @Test
  void grow_withinMaximum_keepsContentAndExtends() {
    FlatMemory memory = new FlatMemory(new MemoryLimits(1, 3));
    memory.writeI32(100, 42);

    assertThat(memory.grow(2)).isEqualTo(1);

    assertThat(memory.pages()).isEqualTo(3);
    assertThat(memory.readInt(100)).isEqualTo(42);
    memory.writeI32(3 * SIZE - 4, 7);
    assertThat(memory.readInt(3 * SIZE - 4)).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(ints = {3, -1, Integer.MAX_VALUE})
  void grow_pastMaximum_minusOneAndUnchanged(int delta) {
    FlatMemory memory = new FlatMemory(new MemoryLimits(1, 3));

    assertThat(memory.grow(delta)).isEqualTo(-1);

    assertThat(memory.pages()).isEqualTo(1);
    assertThatThrownBy(() -> memory.read(SIZE)).isInstanceOf(WasmRuntimeException.class);
  }

  @Test
  void grow_zero_returnsCurrentSize() {
    FlatMemory memory = new FlatMemory(new MemoryLimits(2, 2));

    assertThat(memory.grow(0)).isEqualTo(2);
  }

  @Test
  void constructor_sharedMemory_refused() {
    assertThatThrownBy(() -> new FlatMemory(new MemoryLimits(1, 1, true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shared");
  }
}
