package dev.graft.bundle.format;

import static dev.graft.bundle.format.ZipRecords.CENTRAL_COMMENT_LENGTH;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_COMPRESSED_SIZE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_CRC;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_DISK_START;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_EXTERNAL_ATTRIBUTES;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_EXTRA_LENGTH;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_FLAGS;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_HEADER_SIZE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_INTERNAL_ATTRIBUTES;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_LOCAL_OFFSET;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_METHOD;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_NAME_LENGTH;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_SIGNATURE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_SIZE;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_VERSION_MADE_BY;
import static dev.graft.bundle.format.ZipRecords.CENTRAL_VERSION_NEEDED;
import static dev.graft.bundle.format.ZipRecords.END_CENTRAL_DISK;
import static dev.graft.bundle.format.ZipRecords.END_CENTRAL_OFFSET;
import static dev.graft.bundle.format.ZipRecords.END_CENTRAL_SIZE;
import static dev.graft.bundle.format.ZipRecords.END_COMMENT_LENGTH;
import static dev.graft.bundle.format.ZipRecords.END_DISK;
import static dev.graft.bundle.format.ZipRecords.END_DISK_ENTRIES;
import static dev.graft.bundle.format.ZipRecords.END_RECORD_SIZE;
import static dev.graft.bundle.format.ZipRecords.END_SIGNATURE;
import static dev.graft.bundle.format.ZipRecords.END_TOTAL_ENTRIES;
import static dev.graft.bundle.format.ZipRecords.LOCAL_COMPRESSED_SIZE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_CRC;
import static dev.graft.bundle.format.ZipRecords.LOCAL_EXTRA_LENGTH;
import static dev.graft.bundle.format.ZipRecords.LOCAL_FLAGS;
import static dev.graft.bundle.format.ZipRecords.LOCAL_HEADER_SIZE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_METHOD;
import static dev.graft.bundle.format.ZipRecords.LOCAL_NAME_LENGTH;
import static dev.graft.bundle.format.ZipRecords.LOCAL_SIGNATURE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_SIZE;
import static dev.graft.bundle.format.ZipRecords.LOCAL_VERSION_NEEDED;
import static dev.graft.bundle.format.ZipRecords.u16;
import static dev.graft.bundle.format.ZipRecords.u32;

import dev.graft.bundle.BundleFormatException;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code *.graft} bundle from bytes the caller has already checked against the signed
 * target hashes, and refuses every archive that is not laid out exactly as {@link BundleWriter}
 * lays it out (entry order aside): local header, data, local header, data, central directory, end
 * record, nothing before, between or after. Only one reading of such a file is possible, so the
 * hashes that were signed pin down one manifest and one module for every tool that opens it.
 *
 * <p>Every size a header claims is held against the caps before anything is copied, so a small file
 * claiming a huge entry costs nothing. Instances are immutable and thread-safe.
 */
public final class BundleReader {
  public static final int DEFAULT_MAX_MANIFEST_BYTES = 64 * 1024;
  public static final int DEFAULT_MAX_MODULE_BYTES = 16 * 1024 * 1024;

  /**
   * Bytes in a bundle besides the manifest and the module: two local headers and two central
   * headers, each with its entry's name, and the end record.
   */
  public static final int OVERHEAD_BYTES =
      2 * LOCAL_HEADER_SIZE
          + 2 * CENTRAL_HEADER_SIZE
          + 2 * (Bundle.MANIFEST_ENTRY.length() + Bundle.MODULE_ENTRY.length())
          + END_RECORD_SIZE;

  private static final String ONLY_TWO = "; bundles hold exactly manifest.json and module.wasm";
  private static final int MAX_SHOWN_NAME = 64;

  private static final BundleReader DEFAULT = builder().build();

  private final int maxBundleBytes;
  private final int maxManifestBytes;
  private final int maxModuleBytes;

  private BundleReader(int maxBundleBytes, int maxManifestBytes, int maxModuleBytes) {
    this.maxBundleBytes = maxBundleBytes;
    this.maxManifestBytes = maxManifestBytes;
    this.maxModuleBytes = maxModuleBytes;
  }

  public static BundleReader withDefaults() {
    return DEFAULT;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int maxBundleBytes() {
    return maxBundleBytes;
  }

  public int maxManifestBytes() {
    return maxManifestBytes;
  }

  public int maxModuleBytes() {
    return maxModuleBytes;
  }

  /**
   * Reads a bundle. The array is not kept: the result holds copies of the two entries.
   *
   * @throws BundleFormatException naming the first rule the bytes break
   */
  public Bundle read(byte[] bundle) {
    if (bundle.length > maxBundleBytes) {
      throw fail(
          "bundle is "
              + bundle.length
              + " bytes, more than the cap of "
              + maxBundleBytes
              + " bytes; refusing to read it");
    }
    int end = locateEndRecord(bundle);
    int central = readEndRecord(bundle, end);
    CentralEntry first = readCentralEntry(bundle, central, end, null);
    CentralEntry second = readCentralEntry(bundle, central + first.recordLength(), end, first);
    int centralEnd = central + first.recordLength() + second.recordLength();
    if (centralEnd != end) {
      throw fail(
          "central directory has "
              + (end - centralEnd)
              + " bytes after its two entries; a bundle's central directory holds nothing else");
    }
    int firstData = checkLocalEntry(bundle, first, 0, central);
    int secondData = checkLocalEntry(bundle, second, firstData + (int) first.size(), central);
    int entriesEnd = secondData + (int) second.size();
    if (entriesEnd != central) {
      throw fail(
          "bundle has "
              + (central - entriesEnd)
              + " bytes between its last entry and its central directory (a data descriptor or"
              + " hidden data); a bundle's central directory follows the last entry's data");
    }
    // Every size is now known to lie within the caps and within the array: copy.
    boolean manifestFirst = first.name().equals(Bundle.MANIFEST_ENTRY);
    CentralEntry manifest = manifestFirst ? first : second;
    CentralEntry module = manifestFirst ? second : first;
    int manifestData = manifestFirst ? firstData : secondData;
    int moduleData = manifestFirst ? secondData : firstData;
    byte[] manifestBytes =
        Arrays.copyOfRange(bundle, manifestData, manifestData + (int) manifest.size());
    byte[] moduleBytes = Arrays.copyOfRange(bundle, moduleData, moduleData + (int) module.size());
    return Bundle.of(manifestBytes, moduleBytes);
  }

  /**
   * Finds the end record, which must be the last 22 bytes. When it is not, looks back for it only
   * to say what is wrong (a comment, or appended bytes).
   */
  private static int locateEndRecord(byte[] b) {
    if (b.length < END_RECORD_SIZE) {
      throw fail(
          "bundle is " + b.length + " bytes, too short to be a ZIP archive; it is truncated");
    }
    int end = b.length - END_RECORD_SIZE;
    if (signature(b, end) == END_SIGNATURE) {
      return end;
    }
    for (int at = end - 1; at >= Math.max(0, end - 0xFFFF); at--) {
      if (signature(b, at) == END_SIGNATURE) {
        int commentLength = u16(b, at + END_COMMENT_LENGTH);
        if (commentLength > 0 && at + END_RECORD_SIZE + commentLength == b.length) {
          throw fail(
              "bundle has an archive comment of "
                  + commentLength
                  + " bytes; bundles carry no comment");
        }
        throw fail(
            "bundle has "
                + (b.length - at - END_RECORD_SIZE)
                + " bytes after its ZIP end-of-central-directory record (appended data); a"
                + " bundle ends with that record");
      }
    }
    throw fail(
        "bundle has no ZIP end-of-central-directory record at its end; it is not a ZIP archive"
            + " or it is truncated");
  }

  /** Checks the end record and returns the central directory's offset. */
  private static int readEndRecord(byte[] b, int end) {
    int disk = u16(b, end + END_DISK);
    int centralDisk = u16(b, end + END_CENTRAL_DISK);
    int diskEntries = u16(b, end + END_DISK_ENTRIES);
    int totalEntries = u16(b, end + END_TOTAL_ENTRIES);
    long centralSize = u32(b, end + END_CENTRAL_SIZE);
    long centralOffset = u32(b, end + END_CENTRAL_OFFSET);
    int commentLength = u16(b, end + END_COMMENT_LENGTH);
    if (disk == ZipRecords.MARKER_16
        || centralDisk == ZipRecords.MARKER_16
        || diskEntries == ZipRecords.MARKER_16
        || totalEntries == ZipRecords.MARKER_16
        || centralSize == ZipRecords.MARKER_32
        || centralOffset == ZipRecords.MARKER_32) {
      throw fail(
          "bundle's end record defers to ZIP64 (a field is 0xFFFF or 0xFFFFFFFF); bundles never"
              + " need ZIP64 and readers of them refuse it");
    }
    if (commentLength != 0) {
      throw fail(
          "bundle's end record declares an archive comment of "
              + commentLength
              + " bytes; bundles carry no comment");
    }
    if (disk != 0 || centralDisk != 0) {
      throw fail(
          "bundle claims to be disk "
              + disk
              + " of a multi-disk archive with its central directory on disk "
              + centralDisk
              + "; a bundle is a single file");
    }
    if (diskEntries != totalEntries) {
      throw fail(
          "bundle's end record counts "
              + diskEntries
              + " entries on this disk but "
              + totalEntries
              + " in total; it must count 2 and 2");
    }
    if (totalEntries != 2) {
      throw fail(
          "bundle has " + totalEntries + (totalEntries == 1 ? " entry" : " entries") + ONLY_TWO);
    }
    if (centralOffset + centralSize != end) {
      throw fail(
          "bundle's central directory (offset "
              + centralOffset
              + ", "
              + centralSize
              + " bytes) does not end where the end record starts (offset "
              + end
              + "); nothing may lie between them");
    }
    return (int) centralOffset;
  }

  private CentralEntry readCentralEntry(
      byte[] b, int at, int centralEnd, @Nullable CentralEntry previous) {
    int index = previous == null ? 1 : 2;
    if ((long) at + CENTRAL_HEADER_SIZE > centralEnd) {
      throw fail(
          "bundle's central directory ends inside its entry "
              + index
              + "; the archive is truncated or its sizes are wrong");
    }
    if (signature(b, at) != CENTRAL_SIGNATURE) {
      throw fail(
          "bundle's central directory entry "
              + index
              + " at offset "
              + at
              + " has no central header signature; the archive is corrupt");
    }
    int madeBy = u16(b, at + CENTRAL_VERSION_MADE_BY);
    int versionNeeded = u16(b, at + CENTRAL_VERSION_NEEDED);
    int flags = u16(b, at + CENTRAL_FLAGS);
    int method = u16(b, at + CENTRAL_METHOD);
    long crc = u32(b, at + CENTRAL_CRC);
    long compressedSize = u32(b, at + CENTRAL_COMPRESSED_SIZE);
    long size = u32(b, at + CENTRAL_SIZE);
    int nameLength = u16(b, at + CENTRAL_NAME_LENGTH);
    int extraLength = u16(b, at + CENTRAL_EXTRA_LENGTH);
    int commentLength = u16(b, at + CENTRAL_COMMENT_LENGTH);
    int diskStart = u16(b, at + CENTRAL_DISK_START);
    int internal = u16(b, at + CENTRAL_INTERNAL_ATTRIBUTES);
    long external = u32(b, at + CENTRAL_EXTERNAL_ATTRIBUTES);
    long localOffset = u32(b, at + CENTRAL_LOCAL_OFFSET);
    int nameAt = at + CENTRAL_HEADER_SIZE;
    long recordEnd = (long) nameAt + nameLength + extraLength + commentLength;
    if (recordEnd > centralEnd) {
      throw fail(
          "bundle's central directory entry "
              + index
              + " runs past the end of the central directory; the archive is corrupt");
    }
    String name = checkName(b, nameAt, nameLength);
    if (previous != null && previous.name().equals(name)) {
      throw fail("bundle entry '" + name + "' appears twice" + ONLY_TWO);
    }
    String entry = "bundle entry '" + name + "'";
    // ZIP64 first: its markers would otherwise read as absurd sizes or offsets.
    if (compressedSize == ZipRecords.MARKER_32
        || size == ZipRecords.MARKER_32
        || localOffset == ZipRecords.MARKER_32
        || diskStart == ZipRecords.MARKER_16
        || versionNeeded == ZipRecords.VERSION_ZIP64
        || (extraLength >= 2 && u16(b, nameAt + nameLength) == 0x0001)) {
      throw fail(entry + " uses ZIP64; bundles never need ZIP64 and readers of them refuse it");
    }
    checkMethodAndFlags(entry, method, flags, "central directory");
    if (versionNeeded > ZipRecords.VERSION_MAX) {
      throw fail(
          entry
              + " needs ZIP version "
              + versionNeeded / 10
              + "."
              + versionNeeded % 10
              + " to extract; bundle entries need at most 2.0");
    }
    if (compressedSize != size) {
      throw fail(
          entry
              + " has compressed size "
              + compressedSize
              + " but size "
              + size
              + "; a STORED entry's sizes are equal");
    }
    long cap = name.equals(Bundle.MANIFEST_ENTRY) ? maxManifestBytes : maxModuleBytes;
    if (size > cap) {
      throw fail(
          name
              + " is "
              + size
              + " bytes, more than the cap of "
              + cap
              + " bytes; refusing to read the bundle");
    }
    if (extraLength != 0) {
      throw fail(
          entry
              + " has "
              + extraLength
              + " bytes of extra fields in the central directory; bundle entries carry none");
    }
    if (commentLength != 0) {
      throw fail(entry + " has a file comment; bundle entries carry none");
    }
    if (diskStart != 0) {
      throw fail(entry + " starts on disk " + diskStart + "; a bundle is a single file");
    }
    if ((internal & ~1) != 0) {
      throw fail(
          entry
              + " has internal attributes 0x"
              + Integer.toHexString(internal)
              + "; only the text-file bit is allowed");
    }
    checkFileType(entry, madeBy, external);
    return new CentralEntry(
        name, versionNeeded, crc, size, localOffset, (int) (recordEnd - at), nameLength);
  }

  /**
   * Checks the local header of {@code entry}, which must start at {@code at}, against the central
   * directory and the data's CRC-32; returns where its data starts.
   */
  private static int checkLocalEntry(byte[] b, CentralEntry entry, int at, int central) {
    String name = entry.name();
    if (entry.localOffset() != at) {
      if (at == 0) {
        throw fail(
            "bundle's first listed entry '"
                + name
                + "' starts at offset "
                + entry.localOffset()
                + ", not 0: "
                + entry.localOffset()
                + " bytes come before it (prepended data) or the central directory lists the"
                + " entries out of order; a bundle starts with its first listed entry's local"
                + " header");
      }
      throw fail(
          "bundle entry '"
              + name
              + "' starts at offset "
              + entry.localOffset()
              + " but the entry before it ends at offset "
              + at
              + "; entries must follow each other without gaps or overlaps, in central directory"
              + " order");
    }
    if ((long) at + LOCAL_HEADER_SIZE > central) {
      throw fail(
          "local header of bundle entry '"
              + name
              + "' at offset "
              + at
              + " runs into the central directory; the archive is corrupt");
    }
    if (signature(b, at) != LOCAL_SIGNATURE) {
      throw fail(
          "bundle has no local header for entry '"
              + name
              + "' at offset "
              + at
              + (at == 0
                  ? "; the file starts with something else (prepended data?)"
                  : "; the archive is corrupt"));
    }
    int versionNeeded = u16(b, at + LOCAL_VERSION_NEEDED);
    int flags = u16(b, at + LOCAL_FLAGS);
    int method = u16(b, at + LOCAL_METHOD);
    long crc = u32(b, at + LOCAL_CRC);
    long compressedSize = u32(b, at + LOCAL_COMPRESSED_SIZE);
    long size = u32(b, at + LOCAL_SIZE);
    int nameLength = u16(b, at + LOCAL_NAME_LENGTH);
    int extraLength = u16(b, at + LOCAL_EXTRA_LENGTH);
    String entryText = "bundle entry '" + name + "'";
    checkMethodAndFlags(entryText, method, flags, "local header");
    long nameEnd = (long) at + LOCAL_HEADER_SIZE + nameLength;
    if (nameEnd > central) {
      throw fail(
          "local header of bundle entry '"
              + name
              + "' runs into the central directory; the archive is corrupt");
    }
    String localName = shownName(b, at + LOCAL_HEADER_SIZE, nameLength);
    if (nameLength != entry.nameLength() || !localName.equals(name)) {
      throw fail(
          "local header at offset "
              + at
              + " names '"
              + localName
              + "' but the central directory names '"
              + name
              + "'; the two must agree");
    }
    if (versionNeeded != entry.versionNeeded()
        || crc != entry.crc()
        || compressedSize != entry.size()
        || size != entry.size()) {
      throw fail(
          "local header of "
              + entryText
              + " disagrees with the central directory (version needed, CRC-32 or sizes); the"
              + " two must agree");
    }
    if (extraLength != 0) {
      throw fail(
          entryText
              + " has "
              + extraLength
              + " bytes of extra fields in its local header; bundle entries carry none");
    }
    int data = (int) nameEnd;
    if (data + entry.size() > central) {
      throw fail(
          "data of "
              + entryText
              + " ("
              + entry.size()
              + " bytes at offset "
              + data
              + ") runs into the central directory at offset "
              + central
              + "; the archive's sizes are wrong");
    }
    CRC32 actual = new CRC32();
    actual.update(b, data, (int) entry.size());
    if (actual.getValue() != entry.crc()) {
      throw fail(
          entryText
              + " has CRC-32 "
              + String.format("%08x", entry.crc())
              + " in its headers but its data has CRC-32 "
              + String.format("%08x", actual.getValue())
              + "; the entry is corrupt");
    }
    return data;
  }

  private static void checkMethodAndFlags(String entry, int method, int flags, String where) {
    if (method != ZipRecords.METHOD_STORED) {
      throw fail(
          entry
              + " is compressed (method "
              + method
              + " in the "
              + where
              + "); bundle entries must be STORED (method 0)");
    }
    if ((flags & (ZipRecords.FLAG_ENCRYPTED | ZipRecords.FLAG_STRONG_ENCRYPTION)) != 0) {
      throw fail(entry + " is encrypted (" + where + "); bundle entries are not");
    }
    if ((flags & ZipRecords.FLAG_DATA_DESCRIPTOR) != 0) {
      throw fail(
          entry
              + " uses a data descriptor (flag bit 3 in the "
              + where
              + "); bundle entries give their CRC-32 and sizes in their headers");
    }
    if (flags != 0) {
      throw fail(
          entry
              + " has general-purpose flags 0x"
              + Integer.toHexString(flags)
              + " in the "
              + where
              + "; bundle entries set none");
    }
  }

  private static void checkFileType(String entry, int madeBy, long external) {
    if ((external & ZipRecords.MSDOS_DIRECTORY) != 0) {
      throw fail(entry + " is a directory" + ONLY_TWO);
    }
    if ((madeBy >>> 8) == ZipRecords.HOST_UNIX) {
      int mode = (int) (external >>> 16);
      int type = mode & ZipRecords.UNIX_TYPE_MASK;
      if (type == ZipRecords.UNIX_DIRECTORY) {
        throw fail(entry + " is a directory" + ONLY_TWO);
      }
      if (type == ZipRecords.UNIX_SYMLINK) {
        throw fail(entry + " is a symbolic link; bundle entries are regular files");
      }
      if (type != 0 && type != ZipRecords.UNIX_REGULAR) {
        throw fail(
            entry
                + " is not a regular file (Unix mode 0"
                + Integer.toOctalString(mode)
                + "); bundle entries are regular files");
      }
    }
  }

  /** Returns the entry's name if it is one of the two a bundle holds, and names the rule if not. */
  private static String checkName(byte[] b, int at, int length) {
    String shown = shownName(b, at, length);
    if (length == 0) {
      throw fail("bundle has an entry with an empty name" + ONLY_TWO);
    }
    for (int i = at; i < at + length; i++) {
      if (b[i] < 0x20 || b[i] > 0x7E) {
        throw fail(
            "bundle entry '"
                + shown
                + "' has a non-ASCII or control character in its name"
                + ONLY_TWO);
      }
    }
    if (shown.endsWith("/") || shown.endsWith("\\")) {
      throw fail("bundle entry '" + shown + "' is a directory" + ONLY_TWO);
    }
    if (shown.contains("..")) {
      throw fail("bundle entry '" + shown + "' has '..' in its name" + ONLY_TWO);
    }
    if (shown.indexOf('/') >= 0 || shown.indexOf('\\') >= 0) {
      throw fail("bundle entry '" + shown + "' has a path separator" + ONLY_TWO);
    }
    if (!shown.equals(Bundle.MANIFEST_ENTRY) && !shown.equals(Bundle.MODULE_ENTRY)) {
      throw fail("bundle entry '" + shown + "' is not allowed" + ONLY_TWO);
    }
    return shown;
  }

  /**
   * A name made safe to put in a message: printable ASCII as is, other bytes as \xNN, cut short.
   */
  private static String shownName(byte[] b, int at, int length) {
    StringBuilder shown = new StringBuilder();
    for (int i = at; i < at + Math.min(length, MAX_SHOWN_NAME); i++) {
      int c = b[i] & 0xFF;
      if (c >= 0x20 && c <= 0x7E) {
        shown.append((char) c);
      } else {
        shown.append(String.format("\\x%02x", c));
      }
    }
    if (length > MAX_SHOWN_NAME) {
      shown.append("…");
    }
    return shown.toString();
  }

  private static int signature(byte[] b, int at) {
    return (int) u32(b, at);
  }

  private static BundleFormatException fail(String message) {
    return new BundleFormatException(message);
  }

  /** What the central directory says about one entry, for checking its local header against. */
  private record CentralEntry(
      String name,
      int versionNeeded,
      long crc,
      long size,
      long localOffset,
      int recordLength,
      int nameLength) {}

  /** Caps for a {@link BundleReader}; every size a bundle claims is checked against them. */
  public static final class Builder {
    private int maxManifestBytes = DEFAULT_MAX_MANIFEST_BYTES;
    private int maxModuleBytes = DEFAULT_MAX_MODULE_BYTES;
    private int maxBundleBytes = -1;

    private Builder() {}

    public Builder maxManifestBytes(int bytes) {
      this.maxManifestBytes = positive(bytes, "maxManifestBytes");
      return this;
    }

    public Builder maxModuleBytes(int bytes) {
      this.maxModuleBytes = positive(bytes, "maxModuleBytes");
      return this;
    }

    /**
     * Caps the whole file; without it, the largest bundle the two entry caps allow (their sum plus
     * {@link #OVERHEAD_BYTES}).
     */
    public Builder maxBundleBytes(int bytes) {
      this.maxBundleBytes = positive(bytes, "maxBundleBytes");
      return this;
    }

    public BundleReader build() {
      int bundleCap =
          maxBundleBytes > 0
              ? maxBundleBytes
              : (int)
                  Math.min(
                      Integer.MAX_VALUE, (long) maxManifestBytes + maxModuleBytes + OVERHEAD_BYTES);
      return new BundleReader(bundleCap, maxManifestBytes, maxModuleBytes);
    }

    private static int positive(int value, String what) {
      if (value < 1) {
        throw new IllegalArgumentException(what + " must be positive, was " + value);
      }
      return value;
    }
  }
}
