package dev.graft.bundle.tufclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTrustedStoreTest {
  @TempDir Path directory;

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> fileNames() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void store_topLevelAndUnusualRoleNames_oneEncodedFileEachInsideDirectory() throws IOException {
    FileTrustedStore store = new FileTrustedStore(directory);
    List<String> roles = List.of("root", "targets", "a/b", "a%2Fb", "..", "../../escape", "ü x");
    for (String role : roles) {
      store.store(role, bytes("metadata of " + role));
    }

    assertThat(fileNames())
        .containsExactlyInAnyOrder(
            "root.json",
            "targets.json",
            "a%2Fb.json",
            "a%252Fb.json",
            "...json",
            "..%2F..%2Fescape.json",
            "%C3%BC%20x.json");
    for (String role : roles) {
      assertThat(store.load(role))
          .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("metadata of " + role)));
    }
    assertThat(directory.getParent().resolve("escape.json")).doesNotExist();
  }

  @Test
  void store_existingRole_replacesContentAndLeavesNoTemporaryFile() throws IOException {
    FileTrustedStore store = new FileTrustedStore(directory);
    store.store("timestamp", bytes("version 1"));
    store.store("timestamp", bytes("version 2, longer than before"));

    assertThat(store.load("timestamp"))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("version 2, longer than before")));
    assertThat(fileNames()).containsExactly("timestamp.json");
  }

  @Test
  void store_writeFailsHalfway_keepsOldFileAndRemovesTemporaryFile() throws IOException {
    new FileTrustedStore(directory).store("snapshot", bytes("trusted version 4"));
    FileTrustedStore failing =
        new FileTrustedStore(
            directory,
            (channel, content) -> {
              channel.write(ByteBuffer.wrap(content, 0, content.length / 2));
              throw new IOException("No space left on device");
            });

    assertThatThrownBy(() -> failing.store("snapshot", bytes("new version 5 that will not fit")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("snapshot")
        .hasMessageContaining("No space left on device");

    assertThat(new FileTrustedStore(directory).load("snapshot"))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("trusted version 4")));
    assertThat(fileNames()).containsExactly("snapshot.json");
  }

  @Test
  void load_missingRole_isEmpty() {
    assertThat(new FileTrustedStore(directory).load("targets")).isEmpty();
  }

  @Test
  void load_roleFileIsADirectory_refused() throws IOException {
    Files.createDirectory(directory.resolve("root.json"));
    assertThatThrownBy(() -> new FileTrustedStore(directory).load("root"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("not a regular file");
  }

  @Test
  void delete_storedRole_removesFileAndMissingRoleIsFine() throws IOException {
    FileTrustedStore store = new FileTrustedStore(directory);
    store.store("targets", bytes("x"));
    store.store("root", bytes("r"));

    store.delete("targets");
    store.delete("never-stored");

    assertThat(store.load("targets")).isEmpty();
    assertThat(fileNames()).containsExactly("root.json");
  }

  @Test
  void constructor_missingDirectory_refusedNamingIt() {
    Path missing = directory.resolve("nope");
    assertThatThrownBy(() -> new FileTrustedStore(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }
}
