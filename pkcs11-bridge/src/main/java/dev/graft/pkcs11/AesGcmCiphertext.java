package dev.graft.pkcs11;

import java.util.Arrays;

/**
 * The output of AES-GCM encryption on a token: the 12-byte IV the host chose at random and the
 * ciphertext followed by its 16-byte tag. {@link #encoded()} is {@code iv ‖ ciphertext ‖ tag}, the
 * form to store.
 */
final class AesGcmCiphertext {
  public static final int IV_BYTES = 12;
  public static final int TAG_BYTES = 16;

  private final byte[] iv;
  private final byte[] ciphertext;

  private AesGcmCiphertext(byte[] iv, byte[] ciphertext) {
    this.iv = iv;
    this.ciphertext = ciphertext;
  }

  /**
   * The IV and ciphertext of one encryption.
   *
   * @param ciphertext the ciphertext with its tag appended, as {@code C_Encrypt} returns it
   */
  public static AesGcmCiphertext of(byte[] iv, byte[] ciphertext) {
    if (iv.length != IV_BYTES) {
      throw new Pkcs11Exception(
          "an AES-GCM IV must be " + IV_BYTES + " bytes, this one has " + iv.length);
    }
    if (ciphertext.length < TAG_BYTES) {
      throw new Pkcs11Exception(
          "an AES-GCM ciphertext carries a "
              + TAG_BYTES
              + "-byte tag, but this one has only "
              + ciphertext.length
              + " bytes (truncated?)");
    }
    return new AesGcmCiphertext(iv.clone(), ciphertext.clone());
  }

  /** Reads the {@link #encoded()} form. */
  public static AesGcmCiphertext decode(byte[] encoded) {
    if (encoded.length < IV_BYTES + TAG_BYTES) {
      throw new Pkcs11Exception(
          "an encrypted blob is at least "
              + (IV_BYTES + TAG_BYTES)
              + " bytes (IV and tag), this one has "
              + encoded.length
              + " (truncated?)");
    }
    return new AesGcmCiphertext(
        Arrays.copyOf(encoded, IV_BYTES), Arrays.copyOfRange(encoded, IV_BYTES, encoded.length));
  }

  public byte[] iv() {
    return iv.clone();
  }

  /** The ciphertext with the tag appended. */
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  public byte[] encoded() {
    byte[] out = Arrays.copyOf(iv, iv.length + ciphertext.length);
    System.arraycopy(ciphertext, 0, out, iv.length, ciphertext.length);
    return out;
  }
}
