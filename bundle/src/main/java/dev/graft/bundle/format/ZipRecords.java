package dev.graft.bundle.format;

/**
 * The fixed-size ZIP records a bundle is made of (PKWARE APPNOTE 6.3.x, sections 4.3.7, 4.3.12 and
 * 4.3.16), with the offsets of their fields and little-endian access to them. Shared by the reader
 * and the writer so both agree on one layout.
 */
final class ZipRecords {
  static final int LOCAL_SIGNATURE = 0x04034b50;
  static final int CENTRAL_SIGNATURE = 0x02014b50;
  static final int END_SIGNATURE = 0x06054b50;

  static final int LOCAL_HEADER_SIZE = 30;
  static final int CENTRAL_HEADER_SIZE = 46;
  static final int END_RECORD_SIZE = 22;

  /** Local header fields, relative to the record's start. */
  static final int LOCAL_VERSION_NEEDED = 4;

  static final int LOCAL_FLAGS = 6;
  static final int LOCAL_METHOD = 8;
  static final int LOCAL_TIME = 10;
  static final int LOCAL_DATE = 12;
  static final int LOCAL_CRC = 14;
  static final int LOCAL_COMPRESSED_SIZE = 18;
  static final int LOCAL_SIZE = 22;
  static final int LOCAL_NAME_LENGTH = 26;
  static final int LOCAL_EXTRA_LENGTH = 28;

  /** Central directory header fields, relative to the record's start. */
  static final int CENTRAL_VERSION_MADE_BY = 4;

  static final int CENTRAL_VERSION_NEEDED = 6;
  static final int CENTRAL_FLAGS = 8;
  static final int CENTRAL_METHOD = 10;
  static final int CENTRAL_TIME = 12;
  static final int CENTRAL_DATE = 14;
  static final int CENTRAL_CRC = 16;
  static final int CENTRAL_COMPRESSED_SIZE = 20;
  static final int CENTRAL_SIZE = 24;
  static final int CENTRAL_NAME_LENGTH = 28;
  static final int CENTRAL_EXTRA_LENGTH = 30;
  static final int CENTRAL_COMMENT_LENGTH = 32;
  static final int CENTRAL_DISK_START = 34;
  static final int CENTRAL_INTERNAL_ATTRIBUTES = 36;
  static final int CENTRAL_EXTERNAL_ATTRIBUTES = 38;
  static final int CENTRAL_LOCAL_OFFSET = 42;

  /** End of central directory fields, relative to the record's start. */
  static final int END_DISK = 4;

  static final int END_CENTRAL_DISK = 6;
  static final int END_DISK_ENTRIES = 8;
  static final int END_TOTAL_ENTRIES = 10;
  static final int END_CENTRAL_SIZE = 12;
  static final int END_CENTRAL_OFFSET = 16;
  static final int END_COMMENT_LENGTH = 20;

  /** "Version needed to extract" 1.0: plain STORED files. */
  static final int VERSION_STORED = 10;

  /** The highest version a bundle may need: 2.0 (ZIP64 needs 4.5, encryption schemes more). */
  static final int VERSION_MAX = 20;

  static final int VERSION_ZIP64 = 45;

  /** Host system Unix (high byte of "version made by"), so external attributes carry a mode. */
  static final int HOST_UNIX = 3;

  static final int FLAG_ENCRYPTED = 1;
  static final int FLAG_DATA_DESCRIPTOR = 1 << 3;
  static final int FLAG_STRONG_ENCRYPTION = 1 << 6;

  static final int METHOD_STORED = 0;

  static final int MSDOS_DIRECTORY = 0x10;
  static final int UNIX_TYPE_MASK = 0xF000;
  static final int UNIX_REGULAR = 0x8000;
  static final int UNIX_DIRECTORY = 0x4000;
  static final int UNIX_SYMLINK = 0xA000;

  /** MS-DOS date 1980-01-01, the earliest a ZIP can say: fixed so builds are reproducible. */
  static final int DOS_DATE_1980_01_01 = (1 << 5) | 1;

  static final int DOS_TIME_MIDNIGHT = 0;

  static final int MARKER_16 = 0xFFFF;
  static final long MARKER_32 = 0xFFFF_FFFFL;

  private ZipRecords() {}

  static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xFF))
        | (long) (b[at + 1] & 0xFF) << 8
        | (long) (b[at + 2] & 0xFF) << 16
        | (long) (b[at + 3] & 0xFF) << 24;
  }

  static void put16(byte[] b, int at, int value) {
    b[at] = (byte) value;
    b[at + 1] = (byte) (value >>> 8);
  }

  static void put32(byte[] b, int at, long value) {
    b[at] = (byte) value;
    b[at + 1] = (byte) (value >>> 8);
    b[at + 2] = (byte) (value >>> 16);
    b[at + 3] = (byte) (value >>> 24);
  }
}
