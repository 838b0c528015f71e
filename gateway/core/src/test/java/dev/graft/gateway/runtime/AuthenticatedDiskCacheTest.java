package dev.graft.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.policies.Grant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatedDiskCacheTest {
  private static final byte[] KEY = key(1);
  private static final byte[] CONTENT = "compiled classes".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private static byte[] key(int seed) {
    byte[] key = new byte[AuthenticatedDiskCache.MIN_KEY_BYTES];
    Arrays.fill(key, (byte) seed);
    return key;
  }

  @Test
  void read_writtenWithSameKey_returnsContent() throws IOException {
    AuthenticatedDiskCache cache = AuthenticatedDiskCache.open(dir, KEY);
    cache.write("module-a", CONTENT);

    assertThat(AuthenticatedDiskCache.open(dir, KEY).read("module-a")).contains(CONTENT);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("only the entry, no temporary file").hasSize(1);
    }
  }

  @Test
  void read_missing_emptyAndNotRejected() throws IOException {
    AuthenticatedDiskCache cache = AuthenticatedDiskCache.open(dir, KEY);

    assertThat(cache.read("module-a")).isEmpty();
    assertThat(cache.rejected()).isZero();
  }

  @Test
  void read_contentTampered_rejected() throws IOException {
    AuthenticatedDiskCache cache = AuthenticatedDiskCache.open(dir, KEY);
    cache.write("module-a", CONTENT);
    Path file = cache.fileFor("module-a");
    byte[] stored = Files.readAllBytes(file);
    stored[stored.length - 1] ^= 1;
    Files.write(file, stored);

    assertThat(cache.read("module-a")).isEmpty();
    assertThat(cache.rejected()).isEqualTo(1);
  }

  @Test
  void read_writtenWithAnotherKey_rejected() throws IOException {
    AuthenticatedDiskCache.open(dir, key(2)).write("module-a", CONTENT);
    AuthenticatedDiskCache cache = AuthenticatedDiskCache.open(dir, KEY);

    assertThat(cache.read("module-a")).isEmpty();
    assertThat(cache.rejected()).isEqualTo(1);
  }

  @Test
  void read_validEntryOfAnotherModuleCopiedOver_rejected() throws IOException {
    AuthenticatedDiskCache cache = AuthenticatedDiskCache.open(dir, KEY);
    cache.write("module-b", CONTENT);
    Files.copy(cache.fileFor("module-b"), cache.fileFor("module-a"));

    assertThat(cache.read("module-a")).isEmpty();
    assertThat(cache.read("module-b")).contains(CONTENT);
    assertThat(cache.rejected()).isEqualTo(1);
  }

  @Test
  void read_truncatedEntry_rejected() throws IOException {
    AuthenticatedDiskCache cache = AuthenticatedDiskCache.open(dir, KEY);
    cache.write("module-a", CONTENT);
    Path file = cache.fileFor("module-a");
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 20));

    assertThat(cache.read("module-a")).isEmpty();
    assertThat(cache.rejected()).isEqualTo(1);
  }

  @Test
  void open_shortKey_refused() {
    assertThatThrownBy(() -> AuthenticatedDiskCache.open(dir, new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32 bytes");
  }

  @Test
  void build_secondGatewayStart_loadsCompiledModuleFromDisk() throws Exception {
    byte[] wasm = InterpreterFallbackTest.hugeTickModule(10);
    Grant grant = Fixtures.grant();

    AuthenticatedDiskCache first = AuthenticatedDiskCache.open(dir, KEY);
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).diskCache(first).build()) {
      assertThat(logic.tick(0, Fixtures.inputs(0))).isEqualTo(ControlLogicTest.ok(Map.of(2, 1.0)));
    }
    assertThat(first.hits()).isZero();
    assertThat(Files.exists(first.fileFor(Fixtures.sha256(wasm)))).isTrue();

    // As after a restart: a new cache object on the same directory and key.
    AuthenticatedDiskCache second = AuthenticatedDiskCache.open(dir, KEY);
    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).diskCache(second).build()) {
      assertThat(logic.tick(0, Fixtures.inputs(0))).isEqualTo(ControlLogicTest.ok(Map.of(2, 1.0)));
    }
    assertThat(second.hits()).isEqualTo(1);
    assertThat(second.rejected()).isZero();
  }

  @Test
  void build_tamperedEntry_recompiledAndRewritten() throws Exception {
    byte[] wasm = InterpreterFallbackTest.hugeTickModule(10);
    Grant grant = Fixtures.grant();
    AuthenticatedDiskCache cache = AuthenticatedDiskCache.open(dir, KEY);
    ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).diskCache(cache).build().close();
    Path file = cache.fileFor(Fixtures.sha256(wasm));
    byte[] stored = Files.readAllBytes(file);
    stored[stored.length / 2] ^= 0x40;
    Files.write(file, stored);

    try (ControlLogic logic =
        ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).diskCache(cache).build()) {
      assertThat(logic.tick(0, Fixtures.inputs(0))).isEqualTo(ControlLogicTest.ok(Map.of(2, 1.0)));
    }

    assertThat(cache.rejected()).isEqualTo(1);
    assertThat(cache.hits()).isZero();
    assertThat(cache.read(Fixtures.sha256(wasm))).as("entry rewritten").isPresent();
  }

  @Test
  void build_entryCompiledWithFallback_notUsedForAWholeCompileLoad() throws Exception {
    byte[] wasm = InterpreterFallbackTest.hugeTickModule(10);
    Grant grant = Fixtures.grant();
    AuthenticatedDiskCache cache = AuthenticatedDiskCache.open(dir, KEY);
    ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant)
        .interpreterFallback(true)
        .diskCache(cache)
        .build()
        .close();

    ControlLogic.builder(wasm, Fixtures.manifest(wasm), grant).diskCache(cache).build().close();

    assertThat(cache.hits()).isZero();
    assertThat(cache.read(Fixtures.sha256(wasm) + "+interpreter")).isPresent();
    assertThat(cache.read(Fixtures.sha256(wasm))).isPresent();
  }
}
