package dev.graft.bundle.tufclient;

import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;

/**
 * Turns names that come from untrusted metadata (role names, target paths) into URL path segments
 * and file names that cannot address anything but themselves. Every UTF-8 byte outside the RFC 3986
 * unreserved set ({@code A-Za-z0-9-._~}) is percent-encoded, which is what Python's {@code
 * urllib.parse.quote(name, safe="")} produces, so requests and file names match python-tuf's.
 * {@link #encode(byte[], IntPredicate, StringBuilder)} is Graft's one percent-encoder, also used
 * with other character sets (RFC 7512 PKCS#11 URIs in {@code pkcs11-bridge}).
 */
public final class PercentEncoding {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PercentEncoding() {}

  /**
   * One path segment: {@code /}, {@code %}, spaces and non-ASCII are all encoded, so {@code "a/b"}
   * can never become two segments. A name made only of dots stays as it is; callers that use the
   * result alone (not inside {@code [version.]name.json}) must use {@link #fileName}.
   */
  public static String segment(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    encode(name.getBytes(StandardCharsets.UTF_8), PercentEncoding::isUnreserved, out);
    return out.toString();
  }

  /**
   * Appends {@code bytes}, each byte for which {@code writtenRaw} holds as the character it is and
   * every other byte as upper-case {@code %XX} (RFC 3986 section 2.1). {@code writtenRaw} sees the
   * unsigned byte value, 0 to 255.
   */
  public static void encode(byte[] bytes, IntPredicate writtenRaw, StringBuilder out) {
    for (byte b : bytes) {
      int c = b & 0xff;
      if (writtenRaw.test(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
  }

  /**
   * A target path as a relative URL path: each {@code /}-separated segment encoded with {@link
   * #segment}, the separators kept. Refuses empty, {@code .} and {@code ..} segments, which a
   * server would resolve to some other file than the one the metadata names.
   *
   * @throws IllegalArgumentException naming the path and the offending segment
   */
  public static String targetPath(String path) {
    String[] segments = path.split("/", -1);
    StringBuilder out = new StringBuilder(path.length() + 8);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        String problem = segment.isEmpty() ? "an empty segment" : "a '" + segment + "' segment";
        throw new IllegalArgumentException(
            "target path '"
                + path
                + "' has "
                + problem
                + " (segment "
                + (i + 1)
                + "); refusing to request it, since a server could resolve it to another file");
      }
      if (i > 0) {
        out.append('/');
      }
      out.append(segment(segment));
    }
    return out.toString();
  }

  /**
   * A single file name for a target path inside a download directory, as python-tuf names downloads
   * ({@code quote(path, safe="")}), except that {@code .} and {@code ..} become {@code %2E} and
   * {@code %2E%2E} so the name never means the directory itself or its parent.
   *
   * @throws IllegalArgumentException for an empty path
   */
  public static String fileName(String path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("an empty target path has no file name");
    }
    String encoded = segment(path);
    if (encoded.equals(".") || encoded.equals("..")) {
      return encoded.replace(".", "%2E");
    }
    return encoded;
  }

  /** RFC 3986 {@code unreserved}: {@code A-Za-z0-9-._~}. */
  public static boolean isUnreserved(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }
}
