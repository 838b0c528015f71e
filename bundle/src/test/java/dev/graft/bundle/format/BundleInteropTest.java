package dev.graft.bundle.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.bundle.BundleFormatException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles against other ZIP implementations: the JDK's, and Info-ZIP's when installed. */
class BundleInteropTest {
  private final byte[] module = SampleBundles.module();
  private final byte[] manifest = SampleBundles.manifestFor(module);

  @TempDir Path dir;

  @Test
  void write_output_isReadByJavaZipFileAsTwoStoredEntries() throws IOException {
    Path file = Files.write(dir.resolve("boiler-control-1.4.0.graft"), write());

    try (ZipFile zip = new ZipFile(file.toFile())) {
      List<? extends ZipEntry> entries = Collections.list(zip.entries());
      assertThat(entries)
          .extracting(ZipEntry::getName)
          .containsExactly("manifest.json", "module.wasm");
      for (ZipEntry entry : entries) {
        assertThat(entry.getMethod()).isEqualTo(ZipEntry.STORED);
        assertThat(entry.getExtra()).isNull();
        assertThat(entry.getComment()).isNull();
        assertThat(entry.getTimeLocal()).isEqualTo(LocalDateTime.of(1980, 1, 1, 0, 0));
      }
      assertThat(zip.getInputStream(entries.get(0)).readAllBytes()).isEqualTo(manifest);
      assertThat(zip.getInputStream(entries.get(1)).readAllBytes()).isEqualTo(module);
    }
  }

  @Test
  void write_output_passesUnzipTestAndListsStoredEntries() throws Exception {
    Path unzip = tool("unzip");
    Path zipinfo = tool("zipinfo");
    Path file = Files.write(dir.resolve("b.graft"), write());

    Run test = run(unzip.toString(), "-t", file.toString());
    Run info = run(zipinfo.toString(), file.toString());
    Run extract = run(unzip.toString(), "-p", file.toString(), "module.wasm");

    assertThat(test.exit()).as(test.text()).isZero();
    assertThat(test.text()).contains("No errors detected");
    assertThat(info.exit()).as(info.text()).isZero();
    assertThat(info.text())
        .containsPattern("-rw-r--r-- .* stor 80-Jan-01 00:00 manifest.json")
        .containsPattern("-rw-r--r-- .* stor 80-Jan-01 00:00 module.wasm")
        .contains("number of entries: 2");
    assertThat(extract.output()).isEqualTo(module);
  }

  @Test
  void read_infoZipStoredArchiveOfAFile_isAccepted() throws Exception {
    Path zip = tool("zip");
    Files.write(dir.resolve("manifest.json"), manifest);
    Files.write(dir.resolve("module.wasm"), module);

    // -0 stores, -X leaves out the extra fields, -D leaves out directory entries.
    Run made =
        run(dir, zip.toString(), "-q", "-X", "-0", "-D", "b.graft", "manifest.json", "module.wasm");
    assertThat(made.exit()).as(made.text()).isZero();

    Bundle bundle = BundleReader.withDefaults().read(Files.readAllBytes(dir.resolve("b.graft")));
    assertThat(bundle.module()).isEqualTo(module);
    assertThat(bundle.manifestBytes()).isEqualTo(manifest);
  }

  @Test
  void read_infoZipArchiveWithDefaultOptions_isRefusedForItsExtraFields() throws Exception {
    Path zip = tool("zip");
    Files.write(dir.resolve("manifest.json"), manifest);
    Files.write(dir.resolve("module.wasm"), module);

    Run made = run(dir, zip.toString(), "-q", "-0", "b.graft", "manifest.json", "module.wasm");
    assertThat(made.exit()).as(made.text()).isZero();

    byte[] bundle = Files.readAllBytes(dir.resolve("b.graft"));
    assertThatThrownBy(() -> BundleReader.withDefaults().read(bundle))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("'manifest.json' has")
        .hasMessageContaining("bytes of extra fields");
  }

  @Test
  void read_infoZipStreamedToStdout_isRefusedForItsDataDescriptors() throws Exception {
    Path zip = tool("zip");
    Files.write(dir.resolve("manifest.json"), manifest);
    Files.write(dir.resolve("module.wasm"), module);

    // Writing to a pipe, zip cannot seek back to fill in sizes and uses data descriptors.
    Run made = run(dir, zip.toString(), "-q", "-X", "-0", "-", "manifest.json", "module.wasm");
    assertThat(made.exit()).as(made.text()).isZero();

    assertThatThrownBy(() -> BundleReader.withDefaults().read(made.output()))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("'manifest.json' uses a data descriptor");
  }

  private byte[] write() {
    return BundleWriter.write(manifest, module);
  }

  /** An executable on PATH, or the test is skipped. */
  private static Path tool(String name) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
    for (String directory : path.split(File.pathSeparator, -1)) {
      Path candidate = Path.of(directory, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    assumeTrue(false, name + " is not installed (Debian package unzip / zip)");
    throw new AssertionError("unreachable");
  }

  @SuppressWarnings("ArrayRecordComponent") // never compared
  private record Run(int exit, byte[] output, String errors) {
    String text() {
      return new String(output, StandardCharsets.UTF_8) + errors;
    }
  }

  private Run run(String... command) throws Exception {
    return run(dir, command);
  }

  private static Run run(Path workingDirectory, String... command) throws Exception {
    Process process =
        new ProcessBuilder(new ArrayList<>(List.of(command)))
            .directory(workingDirectory.toFile())
            .start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return new Run(process.exitValue(), output, errors);
  }
}
