package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's passphrase file is private from its first byte. */
class ReleaseEngineerTest {
  @TempDir Path temp;

  @Test
  void writeOwnerOnly_newFile_createdOwnerOnly() throws Exception {
    Path file = temp.resolve("passphrase.txt.tmp");

    ReleaseEngineer.writeOwnerOnly(file, "secret\n");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(file).hasContent("secret");
  }

  @Test
  void writeOwnerOnly_staleWorldReadableFile_replacedNotReused() throws Exception {
    Path file = temp.resolve("passphrase.txt.tmp");
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    ReleaseEngineer.writeOwnerOnly(file, "new\n");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(file).hasContent("new");
  }
}
