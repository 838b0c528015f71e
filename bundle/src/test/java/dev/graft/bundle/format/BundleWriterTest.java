package dev.graft.bundle.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.BundleFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BundleWriterTest {
  private final byte[] module = SampleBundles.module();
  private final byte[] manifest = SampleBundles.manifestFor(module);

  @Test
  void write_thenRead_roundTrips() {
    Bundle original = Bundle.of(manifest, module);

    Bundle read = BundleReader.withDefaults().read(BundleWriter.write(original));

    assertThat(read).isEqualTo(original);
    assertThat(read.module()).isEqualTo(module);
    assertThat(read.manifestBytes()).isEqualTo(manifest);
  }

  @Test
  void write_sameInputsTwice_givesIdenticalBytes() {
    byte[] first = BundleWriter.write(manifest.clone(), module.clone());
    byte[] second = BundleWriter.write(Bundle.of(manifest.clone(), module.clone()));

    assertThat(second).isEqualTo(first);
  }

  @Test
  void write_differentModule_givesDifferentBytes() {
    byte[] other = SampleBundles.module("boiler control logic, fixed");

    assertThat(BundleWriter.write(SampleBundles.manifestFor(other), other))
        .isNotEqualTo(BundleWriter.write(manifest, module));
  }

  @Test
  void write_layout_isManifestThenModuleWithFixedTimestampAndNoExtras() {
    byte[] bundle = BundleWriter.write(manifest, module);
    int second = 30 + 13 + manifest.length;

    assertThat(bundle).hasSize(BundleReader.OVERHEAD_BYTES + manifest.length + module.length);
    assertThat(BundleReader.OVERHEAD_BYTES).isEqualTo(222);
    assertLocalHeader(bundle, 0, "manifest.json", manifest);
    assertLocalHeader(bundle, second, "module.wasm", module);
    int central = second + 30 + 11 + module.length;
    assertThat(u32(bundle, central)).isEqualTo(0x02014b50L);
    assertThat(u32(bundle, bundle.length - 22)).isEqualTo(0x06054b50L);
    assertThat(u32(bundle, bundle.length - 6)).as("central directory offset").isEqualTo(central);
    assertThat(u16(bundle, bundle.length - 2)).as("archive comment length").isZero();
  }

  @Test
  void write_manifestNamingAnotherModule_isRefused() {
    byte[] other = SampleBundles.module("another build");

    assertThatThrownBy(() -> BundleWriter.write(SampleBundles.manifestFor(other), module))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("but module.wasm hashes to " + SampleBundles.sha256Hex(module));
  }

  @Test
  void write_moduleThatIsNotWasm_isRefused() {
    byte[] text = "(module)".getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> BundleWriter.write(SampleBundles.manifestFor(text), text))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("does not start with the WebAssembly magic");
  }

  @Test
  void write_manifestThatIsNotJson_isRefused() {
    assertThatThrownBy(() -> BundleWriter.write(new byte[] {'{'}, module))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageStartingWith("manifest.json is not strict JSON");
  }

  private static void assertLocalHeader(byte[] bundle, int at, String name, byte[] data) {
    assertThat(u32(bundle, at)).as("local header signature").isEqualTo(0x04034b50L);
    assertThat(u16(bundle, at + 4)).as("version needed").isEqualTo(10);
    assertThat(u16(bundle, at + 6)).as("flags").isZero();
    assertThat(u16(bundle, at + 8)).as("method").isZero();
    assertThat(u16(bundle, at + 10)).as("DOS time 00:00").isZero();
    assertThat(u16(bundle, at + 12)).as("DOS date 1980-01-01").isEqualTo(0x21);
    assertThat(u32(bundle, at + 18)).as("compressed size").isEqualTo(data.length);
    assertThat(u32(bundle, at + 22)).as("size").isEqualTo(data.length);
    assertThat(u16(bundle, at + 28)).as("extra length").isZero();
    int nameLength = u16(bundle, at + 26);
    assertThat(new String(bundle, at + 30, nameLength, StandardCharsets.US_ASCII)).isEqualTo(name);
    int dataAt = at + 30 + nameLength;
    assertThat(Arrays.copyOfRange(bundle, dataAt, dataAt + data.length)).isEqualTo(data);
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  private static long u32(byte[] b, int at) {
    return u16(b, at) | (long) u16(b, at + 2) << 16;
  }
}
