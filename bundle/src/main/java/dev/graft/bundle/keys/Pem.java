package dev.graft.bundle.keys;

import java.util.Base64;

/**
 * The PEM text encoding of RFC 7468, written the way OpenSSL and Python's {@code cryptography}
 * write it (64-character lines, a final newline), so a securesystemslib ECDSA key object and one
 * Graft makes carry byte-identical public values.
 */
final class Pem {
  private Pem() {}

  static String encode(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  /**
   * The DER bytes of the one {@code label} block in {@code text}. Surrounding whitespace and CRLF
   * line ends are accepted; anything else around or inside the block is not.
   *
   * @throws IllegalArgumentException naming what is wrong with the text
   */
  static byte[] decode(String text, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    String trimmed = text.strip();
    if (!trimmed.startsWith(begin)) {
      throw new IllegalArgumentException("it does not start with " + begin);
    }
    int endAt = trimmed.indexOf(end);
    if (endAt < 0) {
      throw new IllegalArgumentException("the " + label + " block has no end line (truncated?)");
    }
    if (endAt + end.length() != trimmed.length()) {
      throw new IllegalArgumentException("there is more text after the " + label + " block");
    }
    String body = trimmed.substring(begin.length(), endAt);
    if (body.contains("-----") || body.contains(":")) {
      throw new IllegalArgumentException("the " + label + " block has headers or nested blocks");
    }
    byte[] der;
    try {
      // The strict decoder: the MIME one would silently skip characters outside the alphabet.
      der = Base64.getDecoder().decode(body.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + label + " block is not valid base64", e);
    }
    if (der.length == 0) {
      throw new IllegalArgumentException("the " + label + " block is empty");
    }
    return der;
  }
}
