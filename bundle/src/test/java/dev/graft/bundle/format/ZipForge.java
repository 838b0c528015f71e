package dev.graft.bundle.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Builds ZIP archives field by field, so that a test can break exactly one rule of the bundle
 * format. {@link #canonical} starts from the very bytes {@link BundleWriter} produces (a test
 * checks that), and each test changes one field. Every field is public and mutable: this is a test
 * tool.
 */
final class ZipForge {
  static final int DOS_DATE_1980_01_01 = 0x21;

  final List<Entry> entries = new ArrayList<>();

  /** Bytes before the first local header. */
  byte[] prefix = {};

  /** Whether offsets in the central directory and end record count the prefix, as they should. */
  boolean offsetsCountPrefix = true;

  /** Bytes between the last entry's data and the central directory. */
  byte[] beforeCentral = {};

  /** Bytes between the central directory and the end record. */
  byte[] beforeEnd = {};

  /** The order the central directory lists entries in, as indexes into {@link #entries}. */
  int @Nullable [] centralOrder;

  int endDisk;
  int endCentralDisk;
  @Nullable Integer endDiskEntries;
  @Nullable Integer endTotalEntries;
  @Nullable Long endCentralSize;
  @Nullable Long endCentralOffset;
  byte[] archiveComment = {};
  @Nullable Integer endCommentLength;

  /** One entry; {@code null} fields are derived from the data. */
  static final class Entry {
    byte[] name;
    byte @Nullable [] localName;
    byte[] data;
    int versionNeeded = 10;
    int madeBy = 3 << 8 | 20;
    int flags;
    @Nullable Integer localFlags;
    int method;
    @Nullable Integer localMethod;
    @Nullable Long crc;
    @Nullable Long localCrc;
    @Nullable Long compressedSize;
    @Nullable Long size;
    @Nullable Long localSize;
    byte[] localExtra = {};
    byte[] centralExtra = {};
    byte[] comment = {};
    int diskStart;
    int internal;
    long external = (long) (0x8000 | 0644) << 16;
    @Nullable Long localOffset;

    /** Write a data descriptor after the data, and zero CRC and sizes in the local header. */
    boolean dataDescriptor;

    /** The CRC-32 of these bytes is used when {@link #crc} is null (the data may be compressed). */
    byte[] crcOf;

    Entry(String name, byte[] data) {
      this.name = name.getBytes(StandardCharsets.UTF_8);
      this.data = data;
      this.crcOf = data;
    }

    long crcValue() {
      if (crc != null) {
        return crc;
      }
      CRC32 value = new CRC32();
      value.update(crcOf);
      return value.getValue();
    }

    long compressedSizeValue() {
      return compressedSize != null ? compressedSize : data.length;
    }

    long sizeValue() {
      return size != null ? size : crcOf.length;
    }
  }

  /** The layout {@link BundleWriter} writes: manifest, then module. */
  static ZipForge canonical(byte[] manifest, byte[] module) {
    ZipForge zip = new ZipForge();
    zip.entries.add(new Entry(Bundle.MANIFEST_ENTRY, manifest));
    zip.entries.add(new Entry(Bundle.MODULE_ENTRY, module));
    return zip;
  }

  static ZipForge canonical() {
    byte[] module = SampleBundles.module();
    return canonical(SampleBundles.manifestFor(module), module);
  }

  Entry entry(String name) {
    for (Entry entry : entries) {
      if (new String(entry.name, StandardCharsets.UTF_8).equals(name)) {
        return entry;
      }
    }
    throw new IllegalArgumentException("no entry " + name);
  }

  byte[] build() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(prefix);
    int base = offsetsCountPrefix ? 0 : prefix.length;
    long[] offsets = new long[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      offsets[i] = e.localOffset != null ? e.localOffset : out.size() - base;
      byte[] localName = e.localName != null ? e.localName : e.name;
      u32(out, 0x04034b50);
      u16(out, e.versionNeeded);
      u16(out, e.localFlags != null ? e.localFlags : e.flags);
      u16(out, e.localMethod != null ? e.localMethod : e.method);
      u16(out, 0);
      u16(out, DOS_DATE_1980_01_01);
      u32(out, e.dataDescriptor ? 0 : e.localCrc != null ? e.localCrc : e.crcValue());
      u32(out, e.dataDescriptor ? 0 : e.compressedSizeValue());
      u32(out, e.dataDescriptor ? 0 : e.localSize != null ? e.localSize : e.sizeValue());
      u16(out, localName.length);
      u16(out, e.localExtra.length);
      out.writeBytes(localName);
      out.writeBytes(e.localExtra);
      out.writeBytes(e.data);
      if (e.dataDescriptor) {
        u32(out, 0x08074b50);
        u32(out, e.crcValue());
        u32(out, e.compressedSizeValue());
        u32(out, e.sizeValue());
      }
    }
    out.writeBytes(beforeCentral);
    int central = out.size() - base;
    int[] order = centralOrder != null ? centralOrder : indexes(entries.size());
    for (int i : order) {
      Entry e = entries.get(i);
      u32(out, 0x02014b50);
      u16(out, e.madeBy);
      u16(out, e.versionNeeded);
      u16(out, e.flags);
      u16(out, e.method);
      u16(out, 0);
      u16(out, DOS_DATE_1980_01_01);
      u32(out, e.crcValue());
      u32(out, e.compressedSizeValue());
      u32(out, e.sizeValue());
      u16(out, e.name.length);
      u16(out, e.centralExtra.length);
      u16(out, e.comment.length);
      u16(out, e.diskStart);
      u16(out, e.internal);
      u32(out, e.external);
      u32(out, offsets[i]);
      out.writeBytes(e.name);
      out.writeBytes(e.centralExtra);
      out.writeBytes(e.comment);
    }
    int centralSize = out.size() - base - central;
    out.writeBytes(beforeEnd);
    u32(out, 0x06054b50);
    u16(out, endDisk);
    u16(out, endCentralDisk);
    u16(out, endDiskEntries != null ? endDiskEntries : order.length);
    u16(out, endTotalEntries != null ? endTotalEntries : order.length);
    u32(out, endCentralSize != null ? endCentralSize : centralSize);
    u32(out, endCentralOffset != null ? endCentralOffset : central);
    u16(out, endCommentLength != null ? endCommentLength : archiveComment.length);
    out.writeBytes(archiveComment);
    return out.toByteArray();
  }

  private static int[] indexes(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  static void u16(ByteArrayOutputStream out, int value) {
    out.write(value);
    out.write(value >>> 8);
  }

  static void u32(ByteArrayOutputStream out, long value) {
    u16(out, (int) (value & 0xFFFF));
    u16(out, (int) (value >>> 16 & 0xFFFF));
  }
}
