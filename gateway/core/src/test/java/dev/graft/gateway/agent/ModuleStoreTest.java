package dev.graft.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.Digests;
import dev.graft.gateway.agent.journal.ModuleRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleStoreTest {
  @TempDir Path dir;

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(Digests.sha256(bytes));
  }

  @Test
  void read_fileHoldsTheBundleTheJournalNames_returnsIt() throws Exception {
    ModuleStore store = new ModuleStore(dir);
    byte[] bundle = "a bundle".getBytes();
    String hash = sha256(bundle);
    Files.write(store.file(hash), bundle);

    assertThat(store.read(new ModuleRef("m", "1.0.0", hash, 1), 1024)).isEqualTo(bundle);
  }

  @Test
  void read_fileAlteredOnDisk_refusedNamingBothHashes() throws Exception {
    ModuleStore store = new ModuleStore(dir);
    byte[] bundle = "a bundle".getBytes();
    String hash = sha256(bundle);
    Files.write(store.file(hash), "another bundle".getBytes());

    assertThatThrownBy(() -> store.read(new ModuleRef("m", "1.0.0", hash, 1), 1024))
        .isInstanceOf(ModuleStore.ModuleStoreException.class)
        .hasMessageContaining("does not hold m 1.0.0")
        .hasMessageContaining(hash)
        .hasMessageContaining(sha256("another bundle".getBytes()));
  }

  @Test
  void read_fileLargerThanABundle_refusedBeforeReading() throws Exception {
    ModuleStore store = new ModuleStore(dir);
    String hash = "ab".repeat(32);
    Files.write(store.file(hash), new byte[2048]);

    assertThatThrownBy(() -> store.read(new ModuleRef("m", "1.0.0", hash, 1), 1024))
        .isInstanceOf(ModuleStore.ModuleStoreException.class)
        .hasMessageContaining("2048 bytes, more than a bundle can be (1024)");
  }

  @Test
  void removeAllBut_keepsTheNamedBundles_andPartialsOnlyWhenAsked() throws Exception {
    ModuleStore store = new ModuleStore(dir);
    String installed = "11".repeat(32);
    String stray = "22".repeat(32);
    String partial = "33".repeat(32);
    Files.writeString(store.file(installed), "x");
    Files.writeString(store.file(stray), "x");
    Files.writeString(store.partial(partial), "x");
    Files.writeString(dir.resolve("leftover.tmp"), "x");

    assertThat(store.removeAllBut(Set.of(installed), true))
        .containsExactlyInAnyOrder(stray + ".graft", "leftover.tmp");
    assertThat(store.partial(partial)).exists();
    assertThat(store.removeAllBut(Set.of(installed), false))
        .containsExactly(partial + ".graft.part");
    assertThat(store.file(installed)).exists();
  }
}
