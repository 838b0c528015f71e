package dev.graft.bundle.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.JsonFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BundleReaderTest {
  private static final BundleReader READER = BundleReader.withDefaults();

  private final byte[] module = SampleBundles.module();
  private final byte[] manifest = SampleBundles.manifestFor(module);

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] bundle) {
    return assertThatThrownBy(() -> READER.read(bundle))
        .isExactlyInstanceOf(BundleFormatException.class);
  }

  // --- what is accepted ---------------------------------------------------------------------

  @Test
  void read_writerOutput_returnsManifestModuleAndTypedFields() {
    Bundle bundle = READER.read(BundleWriter.write(manifest, module));

    assertThat(bundle.module()).isEqualTo(module);
    assertThat(bundle.manifestBytes()).isEqualTo(manifest);
    assertThat(bundle.name()).isEqualTo("boiler-control");
    assertThat(bundle.version()).isEqualTo("1.4.0");
    assertThat(bundle.moduleSha256()).isEqualTo(SampleBundles.sha256Hex(module));
    assertThat(bundle.manifest().integer("tick_ms")).isEqualTo(100);
  }

  @Test
  void forge_canonical_isByteIdenticalToWriterOutput() {
    // Every rejection test below changes one field of this forged archive; this shows that the
    // unchanged forgery is exactly a valid bundle, so each refusal is due to that one change.
    byte[] forged = ZipForge.canonical(manifest, module).build();

    assertThat(forged).isEqualTo(BundleWriter.write(manifest, module));
    assertThat(READER.read(forged).module()).isEqualTo(module);
  }

  @Test
  void read_moduleBeforeManifest_isAccepted() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.addFirst(zip.entries.removeLast());

    Bundle bundle = READER.read(zip.build());

    assertThat(bundle.module()).isEqualTo(module);
    assertThat(bundle.manifestBytes()).isEqualTo(manifest);
  }

  @Test
  void read_textBitAndMsdosAttributes_areAccepted() {
    // Info-ZIP marks text files in the internal attributes and MS-DOS hosts write attribute bits.
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("manifest.json").internal = 1;
    zip.entry("module.wasm").madeBy = 20;
    zip.entry("module.wasm").external = 0x20; // MS-DOS "archive"

    assertThat(READER.read(zip.build()).module()).isEqualTo(module);
  }

  @Test
  void read_entriesExactlyAtTheCaps_areAccepted() {
    BundleReader reader =
        BundleReader.builder()
            .maxManifestBytes(manifest.length)
            .maxModuleBytes(module.length)
            .build();
    byte[] bundle = BundleWriter.write(manifest, module);

    assertThat(reader.maxBundleBytes()).isEqualTo(bundle.length);
    assertThat(reader.read(bundle).module()).isEqualTo(module);
  }

  // --- entries: how many, which, and their names ----------------------------------------------

  @Test
  void read_extraEntry_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.add(new ZipForge.Entry("README", "hi".getBytes(StandardCharsets.US_ASCII)));

    assertRefused(zip.build())
        .hasMessage("bundle has 3 entries; bundles hold exactly manifest.json and module.wasm");
  }

  @Test
  void read_missingModule_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.removeLast();

    assertRefused(zip.build()).hasMessageContaining("bundle has 1 entry;");
  }

  @Test
  void read_otherEntryInsteadOfModule_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.set(1, new ZipForge.Entry("module.wat", module));

    assertRefused(zip.build())
        .hasMessage(
            "bundle entry 'module.wat' is not allowed; bundles hold exactly manifest.json and"
                + " module.wasm");
  }

  @Test
  void read_duplicateEntry_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.set(1, new ZipForge.Entry("manifest.json", manifest));

    assertRefused(zip.build()).hasMessageContaining("bundle entry 'manifest.json' appears twice");
  }

  @Test
  void read_directoryEntryByName_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.add(1, new ZipForge.Entry("META-INF/", new byte[0]));
    zip.entries.removeLast();

    assertRefused(zip.build()).hasMessageContaining("bundle entry 'META-INF/' is a directory");
  }

  @Test
  void read_directoryEntryByMsdosAttribute_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").madeBy = 20;
    zip.entry("module.wasm").external = 0x10;

    assertRefused(zip.build()).hasMessageContaining("bundle entry 'module.wasm' is a directory");
  }

  @Test
  void read_directoryEntryByUnixMode_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").external = 040755L << 16;

    assertRefused(zip.build()).hasMessageContaining("bundle entry 'module.wasm' is a directory");
  }

  @Test
  void read_symbolicLink_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").external = 0120777L << 16;

    assertRefused(zip.build())
        .hasMessageContaining("bundle entry 'module.wasm' is a symbolic link");
  }

  @Test
  void read_dotDotInName_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.set(1, new ZipForge.Entry("../x", module));

    assertRefused(zip.build())
        .hasMessage(
            "bundle entry '../x' has '..' in its name; bundles hold exactly manifest.json and"
                + " module.wasm");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/b", "x/module.wasm", "a\\b", "/module.wasm"})
  void read_pathSeparatorInName_isRefused(String name) {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.set(1, new ZipForge.Entry(name, module));

    assertRefused(zip.build())
        .hasMessage(
            "bundle entry '"
                + name
                + "' has a path separator; bundles hold exactly manifest.json and module.wasm");
  }

  @Test
  void read_nonAsciiName_isRefusedWithEscapedName() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entries.set(1, new ZipForge.Entry("modu\u00efe.wasm", module));

    assertRefused(zip.build())
        .hasMessageContaining("'modu\\xc3\\xafe.wasm' has a non-ASCII or control character");
  }

  @Test
  void read_localHeaderNamesOtherEntryThanCentralDirectory_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").localName = "module.wasX".getBytes(StandardCharsets.US_ASCII);

    assertRefused(zip.build())
        .hasMessageContaining("names 'module.wasX' but the central directory names 'module.wasm'");
  }

  // --- compression, flags, descriptors, extra fields, comments -------------------------------

  @Test
  void read_deflatedEntryFromZipOutputStream_isRefused() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.US_ASCII)) {
      zip.setMethod(ZipOutputStream.DEFLATED);
      zip.putNextEntry(new ZipEntry("manifest.json"));
      zip.write(manifest);
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("module.wasm"));
      zip.write(module);
      zip.closeEntry();
    }

    assertRefused(out.toByteArray())
        .hasMessageContaining("bundle entry 'manifest.json' is compressed (method 8")
        .hasMessageContaining("must be STORED");
  }

  @Test
  void read_deflatedEntryWithoutDataDescriptor_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    ZipForge.Entry entry = zip.entry("module.wasm");
    entry.data = deflate(module);
    entry.method = 8;

    assertRefused(zip.build())
        .hasMessageContaining("bundle entry 'module.wasm' is compressed (method 8");
  }

  @Test
  void read_compressedOnlyInLocalHeader_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").localMethod = 8;

    assertRefused(zip.build())
        .hasMessageContaining("'module.wasm' is compressed (method 8 in the local header)");
  }

  @Test
  void read_dataDescriptor_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("manifest.json").flags = 8;
    zip.entry("manifest.json").dataDescriptor = true;

    assertRefused(zip.build())
        .hasMessageContaining(
            "bundle entry 'manifest.json' uses a data descriptor (flag bit 3 in the central"
                + " directory)");
  }

  @Test
  void read_dataDescriptorOnlyInLocalHeader_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").localFlags = 8;
    zip.entry("module.wasm").dataDescriptor = true;

    assertRefused(zip.build())
        .hasMessageContaining(
            "'module.wasm' uses a data descriptor (flag bit 3 in the local header)");
  }

  @Test
  void read_encryptedEntry_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").flags = 1;

    assertRefused(zip.build()).hasMessageContaining("'module.wasm' is encrypted");
  }

  @Test
  void read_utf8NameFlag_isRefused() {
    // java.util.zip sets bit 11 on every entry; bundle names are ASCII and need no flag.
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("manifest.json").flags = 0x800;

    assertRefused(zip.build())
        .hasMessageContaining("'manifest.json' has general-purpose flags 0x800");
  }

  @Test
  void read_extraFieldInCentralDirectory_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    // Info-ZIP's extended timestamp field (0x5455), as `zip` writes without -X.
    zip.entry("module.wasm").centralExtra = new byte[] {0x55, 0x54, 5, 0, 3, 0, 0, 0, 0};

    assertRefused(zip.build())
        .hasMessageContaining("'module.wasm' has 9 bytes of extra fields in the central directory");
  }

  @Test
  void read_extraFieldInLocalHeader_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").localExtra = new byte[] {0x55, 0x54, 5, 0, 3, 0, 0, 0, 0};

    assertRefused(zip.build())
        .hasMessageContaining("'module.wasm' has 9 bytes of extra fields in its local header");
  }

  @Test
  void read_fileComment_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").comment = "built by ci".getBytes(StandardCharsets.US_ASCII);

    assertRefused(zip.build()).hasMessageContaining("'module.wasm' has a file comment");
  }

  @Test
  void read_archiveComment_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.archiveComment = "release 14".getBytes(StandardCharsets.US_ASCII);

    assertRefused(zip.build())
        .hasMessage("bundle has an archive comment of 10 bytes; bundles carry no comment");
  }

  @Test
  void read_commentLengthWithoutComment_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.endCommentLength = 5;

    assertRefused(zip.build())
        .hasMessageContaining("end record declares an archive comment of 5 bytes");
  }

  @Test
  void read_versionNeededAboveTwo_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").versionNeeded = 63;

    assertRefused(zip.build()).hasMessageContaining("needs ZIP version 6.3 to extract");
  }

  @Test
  void read_compressedSizeDiffersFromSize_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").compressedSize = (long) module.length - 1;

    assertRefused(zip.build())
        .hasMessageContaining(
            "has compressed size " + (module.length - 1) + " but size " + module.length);
  }

  // --- CRC and local/central agreement --------------------------------------------------------

  @Test
  void read_wrongCrc_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    CRC32 crc = new CRC32();
    crc.update(module);
    zip.entry("module.wasm").crc = crc.getValue() ^ 1;

    assertRefused(zip.build())
        .hasMessageContaining(
            "'module.wasm' has CRC-32 "
                + String.format("%08x", crc.getValue() ^ 1)
                + " in its headers but its data has CRC-32 "
                + String.format("%08x", crc.getValue()));
  }

  @Test
  void read_flippedDataByte_isRefusedByCrc() {
    byte[] bundle = BundleWriter.write(manifest, module);
    int moduleData = 30 + 13 + manifest.length + 30 + 11;
    bundle[moduleData + 12] ^= 0x40;

    assertRefused(bundle).hasMessageContaining("'module.wasm' has CRC-32");
  }

  @Test
  void read_localCrcDisagreesWithCentral_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("manifest.json").localCrc = 0L;

    assertRefused(zip.build())
        .hasMessageContaining("local header of bundle entry 'manifest.json' disagrees");
  }

  @Test
  void read_localSizeDisagreesWithCentral_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").localSize = (long) module.length + 1;

    assertRefused(zip.build())
        .hasMessageContaining("local header of bundle entry 'module.wasm' disagrees");
  }

  // --- layout: nothing before, between, after; no overlaps --------------------------------------

  @Test
  void read_prependedBytesWithShiftedOffsets_isRefused() {
    // A self-extracting stub: every offset counts the prefix, which lenient readers accept.
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.prefix = "#!/bin/sh\nexit 0\n".getBytes(StandardCharsets.US_ASCII);

    assertRefused(zip.build())
        .hasMessageContaining(
            "first listed entry 'manifest.json' starts at offset 17, not 0: 17 bytes come before"
                + " it (prepended data)");
  }

  @Test
  void read_prependedBytesWithUnshiftedOffsets_isRefused() {
    // Data glued in front of an archive, which readers that search for the end record accept.
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.prefix = new byte[] {1, 2, 3, 4};
    zip.offsetsCountPrefix = false;

    assertRefused(zip.build()).hasMessageContaining("does not end where the end record starts");
  }

  @Test
  void read_appendedBytes_isRefused() {
    byte[] valid = BundleWriter.write(manifest, module);
    byte[] bundle = Arrays.copyOf(valid, valid.length + 7);

    assertRefused(bundle)
        .hasMessageContaining(
            "bundle has 7 bytes after its ZIP end-of-central-directory record (appended data)");
  }

  @Test
  void read_appendedSecondEndRecord_isRefused() {
    byte[] valid = BundleWriter.write(manifest, module);
    byte[] bundle = Arrays.copyOf(valid, valid.length + 22);
    System.arraycopy(valid, valid.length - 22, bundle, valid.length, 22);

    assertRefused(bundle).hasMessageContaining("does not end where the end record starts");
  }

  @Test
  void read_bytesBetweenEntriesAndCentralDirectory_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.beforeCentral = new byte[] {0, 0, 0, 0};

    assertRefused(zip.build())
        .hasMessageContaining(
            "bundle has 4 bytes between its last entry and its central directory");
  }

  @Test
  void read_bytesBetweenCentralDirectoryAndEndRecord_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.beforeEnd = new byte[] {0, 0};

    assertRefused(zip.build()).hasMessageContaining("nothing may lie between them");
  }

  @Test
  void read_gapBetweenEntries_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    ZipForge.Entry first = zip.entry("manifest.json");
    // Hidden bytes after the manifest's data, not counted by its size.
    first.data = Arrays.copyOf(manifest, manifest.length + 3);
    first.compressedSize = (long) manifest.length;
    first.size = (long) manifest.length;
    first.crcOf = manifest;

    assertRefused(zip.build())
        .hasMessageContaining(
            "bundle entry 'module.wasm' starts at offset "
                + (30 + 13 + manifest.length + 3)
                + " but the entry before it ends at offset "
                + (30 + 13 + manifest.length));
  }

  @Test
  void read_overlappingEntries_isRefused() {
    // Both central entries point at the same local header: one region read as two entries.
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").localOffset = 0L;

    assertRefused(zip.build())
        .hasMessageContaining("bundle entry 'module.wasm' starts at offset 0 but the entry before")
        .hasMessageContaining("without gaps or overlaps");
  }

  @Test
  void read_centralDirectoryInOtherOrderThanEntries_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.centralOrder = new int[] {1, 0};

    assertRefused(zip.build())
        .hasMessageContaining(
            "first listed entry 'module.wasm' starts at offset "
                + (30 + 13 + manifest.length)
                + ", not 0")
        .hasMessageContaining("lists the entries out of order");
  }

  @Test
  void read_multiDiskArchive_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.endDisk = 1;
    zip.endCentralDisk = 1;

    assertRefused(zip.build()).hasMessageContaining("multi-disk archive");
  }

  @Test
  void read_entryOnOtherDisk_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").diskStart = 1;

    assertRefused(zip.build()).hasMessageContaining("'module.wasm' starts on disk 1");
  }

  @Test
  void read_endRecordCountsDisagree_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.endDiskEntries = 1;

    assertRefused(zip.build()).hasMessageContaining("counts 1 entries on this disk but 2 in total");
  }

  // --- ZIP64 ----------------------------------------------------------------------------------

  @Test
  void read_zip64EndRecord_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    // What a ZIP64 writer puts in the classic end record; the real values would be in the ZIP64
    // end record and locator, which a bundle reader must never go looking for.
    zip.endCentralOffset = 0xFFFF_FFFFL;
    zip.endCentralSize = 0xFFFF_FFFFL;
    zip.endTotalEntries = 0xFFFF;
    zip.endDiskEntries = 0xFFFF;

    assertRefused(zip.build()).hasMessageContaining("defers to ZIP64");
  }

  @Test
  void read_zip64EntrySizes_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    ZipForge.Entry entry = zip.entry("module.wasm");
    entry.versionNeeded = 45;
    entry.compressedSize = 0xFFFF_FFFFL;
    entry.size = 0xFFFF_FFFFL;
    // ZIP64 extended information: header 0x0001, 16 bytes, real size and compressed size.
    byte[] extra = new byte[20];
    extra[0] = 1;
    extra[2] = 16;
    extra[4] = (byte) module.length;
    extra[12] = (byte) module.length;
    entry.centralExtra = extra;
    entry.localExtra = extra;

    assertRefused(zip.build()).hasMessageContaining("'module.wasm' uses ZIP64");
  }

  @Test
  void read_zip64ExtraFieldAlone_isRefused() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").centralExtra = new byte[] {1, 0, 0, 0};

    assertRefused(zip.build()).hasMessageContaining("'module.wasm' uses ZIP64");
  }

  // --- caps: checked before anything is allocated ------------------------------------------

  @Test
  void read_moduleBeyondCap_isRefused() {
    BundleReader reader = BundleReader.builder().maxModuleBytes(module.length - 1).build();

    assertThatThrownBy(() -> reader.read(BundleWriter.write(manifest, module)))
        .isInstanceOf(BundleFormatException.class)
        .hasMessage(
            "module.wasm is "
                + module.length
                + " bytes, more than the cap of "
                + (module.length - 1)
                + " bytes; refusing to read the bundle");
  }

  @Test
  void read_manifestBeyondCap_isRefused() {
    BundleReader reader = BundleReader.builder().maxManifestBytes(100).build();

    assertThatThrownBy(() -> reader.read(BundleWriter.write(manifest, module)))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining(
            "manifest.json is " + manifest.length + " bytes, more than the cap of 100 bytes");
  }

  @Test
  void read_bundleBeyondCap_isRefusedBeforeParsing() {
    BundleReader reader = BundleReader.builder().maxBundleBytes(64).build();

    assertThatThrownBy(() -> reader.read(new byte[65]))
        .isInstanceOf(BundleFormatException.class)
        .hasMessage("bundle is 65 bytes, more than the cap of 64 bytes; refusing to read it");
  }

  @Test
  void read_tinyFileClaimingTwoGibibyteModule_isRefusedByCapWithoutAllocating() {
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").size = 0x8000_0000L;
    zip.entry("module.wasm").compressedSize = 0x8000_0000L;
    byte[] bundle = zip.build();
    assertThat(bundle.length).isLessThan(2048);

    readIgnoringRefusal(bundle); // warm up: class loading is not what is measured
    long allocated = allocatedDuring(() -> readIgnoringRefusal(bundle));

    assertRefused(bundle)
        .hasMessage(
            "module.wasm is 2147483648 bytes, more than the cap of 16777216 bytes; refusing to"
                + " read the bundle");
    assertThat(allocated).isLessThan(1 << 20);
  }

  @Test
  void read_tinyFileClaimingModuleWithinCap_isRefusedByLayoutWithoutAllocating() {
    // 8 MiB is under the default cap, so only the layout check stands between this claim and an
    // 8 MiB copy: the claim must be found false before anything is copied.
    ZipForge zip = ZipForge.canonical(manifest, module);
    zip.entry("module.wasm").size = 8L << 20;
    zip.entry("module.wasm").compressedSize = 8L << 20;
    zip.entry("module.wasm").localSize = 8L << 20;
    zip.entry("module.wasm").crc = 0L;
    byte[] bundle = zip.build();

    readIgnoringRefusal(bundle); // warm up: class loading is not what is measured
    long allocated = allocatedDuring(() -> readIgnoringRefusal(bundle));

    assertRefused(bundle).hasMessageContaining("runs into the central directory");
    assertThat(allocated).isLessThan(1 << 20);
  }

  // --- not a ZIP at all ------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 21, 22, 100})
  void read_truncatedBundle_isRefused(int length) {
    byte[] bundle = Arrays.copyOf(BundleWriter.write(manifest, module), length);

    assertRefused(bundle).hasMessageStartingWith("bundle ");
  }

  @Test
  void read_wasmFileInsteadOfBundle_isRefused() {
    assertRefused(module).hasMessageContaining("no ZIP end-of-central-directory record");
  }

  // --- contents ---------------------------------------------------------------------------------

  @Test
  void read_manifestHashMismatch_isRefused() {
    byte[] other = SampleBundles.module("another build");
    String otherHash = SampleBundles.sha256Hex(other);
    byte[] bundle = ZipForge.canonical(SampleBundles.manifestFor(other), module).build();

    assertRefused(bundle)
        .hasMessage(
            "manifest.json gives module.sha256 "
                + otherHash
                + " but module.wasm hashes to "
                + SampleBundles.sha256Hex(module)
                + "; the manifest must name the module it ships with");
  }

  @Test
  void read_manifestNotJson_isRefused() {
    byte[] notJson = "name: boiler-control\n".getBytes(StandardCharsets.US_ASCII);

    assertRefused(ZipForge.canonical(notJson, module).build())
        .hasMessageStartingWith("manifest.json is not strict JSON:")
        .hasCauseInstanceOf(JsonFormatException.class);
  }

  @Test
  void read_manifestWithDuplicateKeys_isRefused() {
    String hash = SampleBundles.sha256Hex(module);
    byte[] duplicate =
        ("{\"name\":\"a\",\"version\":\"1\",\"module\":{\"sha256\":\""
                + hash
                + "\"},\"name\":\"b\"}")
            .getBytes(StandardCharsets.US_ASCII);

    assertRefused(ZipForge.canonical(duplicate, module).build())
        .hasMessageContaining("manifest.json is not strict JSON")
        .hasMessageContaining("duplicate member name 'name'");
  }

  @Test
  void read_manifestWithoutModuleHash_isRefused() {
    byte[] noHash = "{\"name\":\"a\",\"version\":\"1\"}".getBytes(StandardCharsets.US_ASCII);

    assertRefused(ZipForge.canonical(noHash, module).build())
        .hasMessageContaining("manifest.json lacks a field the trust rules need")
        .hasMessageContaining("'module'");
  }

  @Test
  void read_manifestHashInUppercase_isRefused() {
    String upper = SampleBundles.sha256Hex(module).toUpperCase(java.util.Locale.ROOT);
    byte[] bundle =
        ZipForge.canonical(SampleBundles.manifest("boiler-control", "1.4.0", upper), module)
            .build();

    assertRefused(bundle).hasMessageContaining("module.sha256 must be 64 lowercase hex digits");
  }

  @Test
  void read_nonWasmModule_isRefused() {
    byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0};
    byte[] bundle = ZipForge.canonical(SampleBundles.manifestFor(elf), elf).build();

    assertRefused(bundle)
        .hasMessageContaining("module.wasm does not start with the WebAssembly magic");
  }

  @Test
  void read_wasmVersionTwo_isRefused() {
    byte[] v2 = SampleBundles.module();
    v2[4] = 2;
    byte[] bundle = ZipForge.canonical(SampleBundles.manifestFor(v2), v2).build();

    assertRefused(bundle).hasMessageContaining("WebAssembly binary version 02000000");
  }

  @Test
  void builder_nonPositiveCap_isRefused() {
    assertThatThrownBy(() -> BundleReader.builder().maxModuleBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxModuleBytes");
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(data);
    deflater.finish();
    byte[] buffer = new byte[data.length + 64];
    int length = deflater.deflate(buffer);
    deflater.end();
    return Arrays.copyOf(buffer, length);
  }

  private static void readIgnoringRefusal(byte[] bundle) {
    try {
      READER.read(bundle);
    } catch (BundleFormatException refused) {
      // The caller asserts the refusal separately; only the allocation is measured here.
    }
  }

  /** Bytes this thread allocated while running {@code action}, as the JVM counts them. */
  private static long allocatedDuring(Runnable action) {
    if (!(ManagementFactory.getThreadMXBean() instanceof ThreadMXBean threads)
        || !threads.isThreadAllocatedMemorySupported()) {
      assumeTrue(false, "this JVM does not count allocated bytes per thread");
      return 0;
    }
    threads.setThreadAllocatedMemoryEnabled(true);
    long before = threads.getCurrentThreadAllocatedBytes();
    action.run();
    return threads.getCurrentThreadAllocatedBytes() - before;
  }
}
