package dev.graft.pkcs11;

import dev.graft.bundle.tufclient.PercentEncoding;
import dev.graft.pkcs11.UriAttribute.Component;
import java.nio.charset.StandardCharsets;

/**
 * The character classes of RFC 7512 section 2.3 and RFC 3986 percent-encoding: which characters a
 * value may hold as they are, and how Graft writes values (with bundle's one percent-encoder).
 */
final class PercentCoding {
  /** {@code pk11-res-avail}: reserved characters that are no delimiter inside a value. */
  private static final String RES_AVAIL = ":[]@!$'()*+,=";

  /** {@code pk11-query-res-avail} beyond {@link #RES_AVAIL}. */
  private static final String QUERY_EXTRA = "/?|";

  private PercentCoding() {}

  /** RFC 3986 {@code unreserved}. */
  static boolean isUnreserved(char c) {
    return PercentEncoding.isUnreserved(c);
  }

  /** Whether a value in {@code component} may hold {@code c} unencoded ({@code pk11-pchar}, …). */
  static boolean mayAppearRaw(char c, Component component) {
    if (isUnreserved(c) || RES_AVAIL.indexOf(c) >= 0) {
      return true;
    }
    return switch (component) {
      case PATH -> c == '&';
      case QUERY -> QUERY_EXTRA.indexOf(c) >= 0;
    };
  }

  /**
   * Whether Graft writes {@code c} unencoded in {@code component}: everything the grammar allows
   * except {@code &} in the path, legal there but easily misread as the query separator.
   */
  private static boolean writtenRaw(char c, Component component) {
    return c != '&' && mayAppearRaw(c, component);
  }

  /** The value of a hex digit, or -1. */
  static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** UTF-8 bytes of a value, with everything outside the raw set as upper-case {@code %XX}. */
  static void encode(byte[] bytes, Component component, StringBuilder out) {
    PercentEncoding.encode(bytes, c -> c < 0x80 && writtenRaw((char) c, component), out);
  }

  /** Every byte as {@code %XX}: how Graft writes {@code id}, which is binary. */
  static void encodeEveryByte(byte[] bytes, StringBuilder out) {
    PercentEncoding.encode(bytes, c -> false, out);
  }

  /** The escapes of one character's UTF-8 encoding, for error messages that suggest them. */
  static String escapesOf(int codePoint) {
    StringBuilder out = new StringBuilder();
    encodeEveryByte(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8), out);
    return out.toString();
  }
}
