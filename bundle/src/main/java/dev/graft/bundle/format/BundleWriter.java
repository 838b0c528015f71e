package dev.graft.bundle.format;

import static dev.graft.bundle.format.ZipRecords.CENTRAL_COMPRESSED_SIZE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_CRC;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_DATE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_EXTERNAL_ATTRIBUTES;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_HEADER_SIZE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_LOCAL_OFFSET;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_NAME_LENGTH;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_SIGNATURE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_SIZE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_TIME;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_VERSION_MADE_BY;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_VERSION_NEEDED;
import static dev.graft.bundle.format.ZipRecords.END_CENTRAL_OFFSET;
import static dev.graft.bundle.format.ZipRecords.END_CENTRAL_SIZE;
import static dev.graft.bundle.format.ZipRecords.END_DISK_ENTRIES;
import static dev.graft.bundle.format.ZipRecords.END_RECORD_SIZE;
import static dev.graft.bundle.format.ZipRecords.END_SIGNATURE;
import static dev.graft.bundle.format.ZipRecords.END_TOTAL_ENTRIES;
import static dev.graft.bundle.format.ZipRecords.LOCAL_COMPRESSED_SIZE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_CRC;
import static dev.graft.bundle.format.ZipRecords.LOCAL_DATE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_HEADER_SIZE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_NAME_LENGTH;
import static dev.graft.bundle.format.ZipRecords.LOCAL_SIGNATURE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_SIZE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_TIME;
import static dev.graft.bundle.format.ZipRecords.LOCAL_VERSION_NEEDED;
import static dev.graft.bundle.format.ZipRecords.put16;
import static dev.graft.bundle.format.ZipRecords.put32;

import dev.graft.bundle.BundleFormatException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Writes the one canonical layout of a bundle: {@code manifest.json} then {@code module.wasm}, both
 * STORED, with a fixed timestamp (1980-01-01 00:00), no extra fields and no comments. The same
 * manifest and module always give the same bytes, so a release build is reproducible and its signed
 * hashes can be checked by rebuilding.
 *
 * <p>The ZIP is written by hand rather than with {@code java.util.zip.ZipOutputStream}, which sets
 * flags and fields of its own; this way the output is exactly what {@link BundleReader} accepts.
 */
public final class BundleWriter {
  /** Regular file, rw-r--r--, so {@code unzip} extracts the entries with ordinary permissions. */
  private static final long UNIX_FILE_0644 = (long) (ZipRecords.UNIX_REGULAR | 0644) << 16;

  private static final int MADE_BY_UNIX_2_0 = ZipRecords.HOST_UNIX << 8 | ZipRecords.VERSION_MAX;

  private BundleWriter() {}

  /**
   * Checks the manifest against the module (see {@link Bundle}) and writes the bundle.
   *
   * @throws BundleFormatException if the manifest is not strict JSON, lacks a field the trust rules
   *     need, or names a module other than {@code module}, or if {@code module} is not WebAssembly
   */
  public static byte[] write(byte[] manifestBytes, byte[] module) {
    return write(Bundle.of(manifestBytes, module));
  }

  public static byte[] write(Bundle bundle) {
    byte[] manifest = bundle.manifestBytes();
    byte[] module = bundle.module();
    long total = (long) BundleReader.OVERHEAD_BYTES + manifest.length + module.length;
    if (total > Integer.MAX_VALUE - 8) {
      throw new BundleFormatException(
          "bundle would be " + total + " bytes, more than one byte array holds");
    }
    byte[] out = new byte[(int) total];
    Entry first = new Entry(Bundle.MANIFEST_ENTRY, manifest, 0);
    Entry second = new Entry(Bundle.MODULE_ENTRY, module, first.end());
    writeLocal(out, first);
    int central = writeLocal(out, second);
    int at = writeCentral(out, central, first);
    at = writeCentral(out, at, second);
    writeEnd(out, at, central, at - central);
    return out;
  }

  private static int writeLocal(byte[] out, Entry entry) {
    int at = entry.offset();
    put32(out, at, LOCAL_SIGNATURE);
    put16(out, at + LOCAL_VERSION_NEEDED, ZipRecords.VERSION_STORED);
    // flags and method stay 0: no data descriptor, no encryption, STORED.
    put16(out, at + LOCAL_TIME, ZipRecords.DOS_TIME_MIDNIGHT);
    put16(out, at + LOCAL_DATE, ZipRecords.DOS_DATE_1980_01_01);
    put32(out, at + LOCAL_CRC, entry.crc());
    put32(out, at + LOCAL_COMPRESSED_SIZE, entry.data().length);
    put32(out, at + LOCAL_SIZE, entry.data().length);
    put16(out, at + LOCAL_NAME_LENGTH, entry.name().length);
    // extra field length stays 0.
    System.arraycopy(entry.name(), 0, out, at + LOCAL_HEADER_SIZE, entry.name().length);
    int data = at + LOCAL_HEADER_SIZE + entry.name().length;
    System.arraycopy(entry.data(), 0, out, data, entry.data().length);
    return data + entry.data().length;
  }

  private static int writeCentral(byte[] out, int at, Entry entry) {
    put32(out, at, CENTRAL_SIGNATURE);
    put16(out, at + CENTRAL_VERSION_MADE_BY, MADE_BY_UNIX_2_0);
    put16(out, at + CENTRAL_VERSION_NEEDED, ZipRecords.VERSION_STORED);
    put16(out, at + CENTRAL_TIME, ZipRecords.DOS_TIME_MIDNIGHT);
    put16(out, at + CENTRAL_DATE, ZipRecords.DOS_DATE_1980_01_01);
    put32(out, at + CENTRAL_CRC, entry.crc());
    put32(out, at + CENTRAL_COMPRESSED_SIZE, entry.data().length);
    put32(out, at + CENTRAL_SIZE, entry.data().length);
    put16(out, at + CENTRAL_NAME_LENGTH, entry.name().length);
    // extra, comment, disk start and internal attributes stay 0.
    put32(out, at + CENTRAL_EXTERNAL_ATTRIBUTES, UNIX_FILE_0644);
    put32(out, at + CENTRAL_LOCAL_OFFSET, entry.offset());
    System.arraycopy(entry.name(), 0, out, at + CENTRAL_HEADER_SIZE, entry.name().length);
    return at + CENTRAL_HEADER_SIZE + entry.name().length;
  }

  private static void writeEnd(byte[] out, int at, int central, int centralSize) {
    put32(out, at, END_SIGNATURE);
    // disk numbers and comment length stay 0.
    put16(out, at + END_DISK_ENTRIES, 2);
    put16(out, at + END_TOTAL_ENTRIES, 2);
    put32(out, at + END_CENTRAL_SIZE, centralSize);
    put32(out, at + END_CENTRAL_OFFSET, central);
    if (at + END_RECORD_SIZE != out.length) {
      throw new IllegalStateException("bundle layout arithmetic is wrong");
    }
  }

  @SuppressWarnings("ArrayRecordComponent") // private to the writer, never compared
  private record Entry(byte[] name, byte[] data, int offset, long crc) {
    Entry(String name, byte[] data, int offset) {
      this(name.getBytes(StandardCharsets.US_ASCII), data, offset, crc32(data));
    }

    int end() {
      return offset + LOCAL_HEADER_SIZE + name.length + data.length;
    }

    private static long crc32(byte[] data) {
      CRC32 crc = new CRC32();
      crc.update(data);
      return crc.getValue();
    }
  }
}
