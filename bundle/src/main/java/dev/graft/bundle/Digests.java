package dev.graft.bundle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Message digests by their JDK names ({@code SHA-256}, {@code SHA-384}, {@code SHA-512}). Every
 * Java platform has these, so a missing one is a broken runtime, not a condition callers handle: it
 * is an {@link IllegalStateException} here, once, instead of a try/catch at every use.
 */
public final class Digests {
  private Digests() {}

  /** A fresh digest for incremental use, e.g. over a stream of chunks. */
  public static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required by every Java platform", e);
    }
  }

  public static MessageDigest newSha256() {
    return newDigest("SHA-256");
  }

  public static byte[] digest(String algorithm, byte[] bytes) {
    return newDigest(algorithm).digest(bytes);
  }

  /** The digest as lowercase hex, the form TUF metadata and Graft's topics use. */
  public static String hex(String algorithm, byte[] bytes) {
    return HexFormat.of().formatHex(digest(algorithm, bytes));
  }

  public static byte[] sha256(byte[] bytes) {
    return digest("SHA-256", bytes);
  }

  public static String sha256Hex(byte[] bytes) {
    return hex("SHA-256", bytes);
  }

  /** Lowercase hex SHA-256 of the text's UTF-8 encoding. */
  public static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }
}
