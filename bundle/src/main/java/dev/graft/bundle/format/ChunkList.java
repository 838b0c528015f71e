package dev.graft.bundle.format;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.Digests;
import dev.graft.bundle.HashMismatchException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonNumber;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The chunk list published beside a bundle: the bundle's length, the chunk size and the SHA-256 of
 * every chunk. Its own SHA-256 is signed in the target's {@code custom.graft.chunks.list_sha256},
 * so each chunk can be checked the moment it arrives and a download can resume at the first missing
 * chunk.
 *
 * <p>Wire form: canonical JSON {@code {"length":N,"sha256":["…",…],"size":S}}. Parsing is strict
 * (exact members, lowercase hex, a count that matches length and size), because a gateway parses
 * the list before it has checked anything against it but its hash.
 *
 * @param size the chunk size in bytes; every chunk but the last has exactly this size
 * @param length the bundle's length in bytes
 * @param sha256 the lowercase hex SHA-256 of each chunk, in order
 */
public record ChunkList(int size, long length, List<String> sha256) {

  /** The default chunk size of {@code protocol.md}. */
  public static final int DEFAULT_SIZE = 64 * 1024;

  /** Smallest and largest chunk sizes accepted: small enough for MQTT packets, big enough. */
  public static final int MIN_SIZE = 1024;

  public static final int MAX_SIZE = 1024 * 1024;

  /** A list for a bundle up to 1 GiB at the smallest chunk size stays far under this. */
  public static final int MAX_LIST_BYTES = 8 * 1024 * 1024;

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  public ChunkList {
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new BundleFormatException(
          "chunk size " + size + " is outside " + MIN_SIZE + ".." + MAX_SIZE + " bytes");
    }
    if (length < 0) {
      throw new BundleFormatException("bundle length " + length + " is negative");
    }
    sha256 = List.copyOf(sha256);
    long expected = chunkCount(length, size);
    if (sha256.size() != expected) {
      throw new BundleFormatException(
          "chunk list has "
              + sha256.size()
              + " hashes; a "
              + length
              + "-byte bundle in "
              + size
              + "-byte chunks has "
              + expected);
    }
    for (int i = 0; i < sha256.size(); i++) {
      if (!HEX64.matcher(sha256.get(i)).matches()) {
        throw new BundleFormatException("chunk " + i + " hash is not 64 lowercase hex digits");
      }
    }
  }

  /** The chunk list of {@code bundle} cut into {@code size}-byte chunks. */
  public static ChunkList of(byte[] bundle, int size) {
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new BundleFormatException(
          "chunk size " + size + " is outside " + MIN_SIZE + ".." + MAX_SIZE + " bytes");
    }
    List<String> hashes = new ArrayList<>();
    MessageDigest digest = sha256Digest();
    for (int offset = 0; offset < bundle.length; offset += size) {
      digest.update(bundle, offset, Math.min(size, bundle.length - offset));
      hashes.add(HexFormat.of().formatHex(digest.digest()));
    }
    return new ChunkList(size, bundle.length, hashes);
  }

  /** Parses a published chunk list (strictly; see the class comment). */
  public static ChunkList parse(byte[] bytes) {
    JsonObject object = JsonParser.withCaps(MAX_LIST_BYTES, 4).parseObject(bytes);
    for (String member : object.members().keySet()) {
      if (!member.equals("length") && !member.equals("sha256") && !member.equals("size")) {
        throw new BundleFormatException("chunk list has an unknown member \"" + member + "\"");
      }
    }
    long size = object.integer("size");
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new BundleFormatException(
          "chunk size " + size + " is outside " + MIN_SIZE + ".." + MAX_SIZE + " bytes");
    }
    List<String> hashes = new ArrayList<>();
    for (JsonValue value : object.array("sha256").values()) {
      if (!(value instanceof JsonString(String hex))) {
        throw new BundleFormatException("chunk list hash is a " + value.typeName());
      }
      hashes.add(hex);
    }
    return new ChunkList((int) size, object.integer("length"), hashes);
  }

  /** The canonical JSON bytes that are published and hashed. */
  public byte[] toBytes() {
    List<JsonValue> hashes = new ArrayList<>(sha256.size());
    sha256.forEach(h -> hashes.add(new JsonString(h)));
    return CanonicalJson.encode(
        JsonObject.builder()
            .put("length", new JsonNumber(length))
            .put("sha256", new JsonArray(hashes))
            .put("size", new JsonNumber(size))
            .build());
  }

  /** The SHA-256 of {@link #toBytes()}, lowercase hex: {@code custom.graft.chunks.list_sha256}. */
  public String listSha256() {
    return HexFormat.of().formatHex(sha256Digest().digest(toBytes()));
  }

  public int chunkCount() {
    return sha256.size();
  }

  /** Where chunk {@code index} starts in the bundle. */
  public long offset(int index) {
    checkIndex(index);
    return (long) index * size;
  }

  /** The exact length chunk {@code index} must have. */
  public int chunkLength(int index) {
    checkIndex(index);
    return (int) Math.min(size, length - (long) index * size);
  }

  /**
   * Checks one received chunk against the list.
   *
   * @throws HashMismatchException if its length or SHA-256 differ
   */
  public void verifyChunk(int index, byte[] chunk) {
    int expected = chunkLength(index);
    if (chunk.length != expected) {
      throw HashMismatchException.length("chunk " + index, expected, chunk.length);
    }
    byte[] actual = sha256Digest().digest(chunk);
    if (!MessageDigest.isEqual(actual, HexFormat.of().parseHex(sha256.get(index)))) {
      throw HashMismatchException.digest(
          "chunk " + index, "sha256", sha256.get(index), HexFormat.of().formatHex(actual));
    }
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= sha256.size()) {
      throw new BundleFormatException(
          "chunk " + index + " does not exist; the list has " + sha256.size());
    }
  }

  private static long chunkCount(long length, int size) {
    return (length + size - 1) / size;
  }

  private static MessageDigest sha256Digest() {
    return Digests.newSha256();
  }
}
