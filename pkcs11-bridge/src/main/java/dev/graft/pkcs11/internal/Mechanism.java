package dev.graft.pkcs11.internal;

/**
 * A {@code CK_MECHANISM}: a mechanism type and, for the mechanisms that take one, its parameter
 * structure. Only the parameter structures Graft uses are modelled.
 */
public sealed interface Mechanism permits Mechanism.Plain, Mechanism.AesGcm {
  long type();

  /** A mechanism without parameters, such as {@code CKM_ECDSA} or {@code CKM_EDDSA}. */
  static Mechanism of(long type) {
    return new Plain(type);
  }

  /** A mechanism with no parameter structure ({@code pParameter} NULL). */
  record Plain(long type) implements Mechanism {}

  /**
   * {@code CKM_AES_GCM} with a {@code CK_GCM_PARAMS} (PKCS#11 3.0 layout, which carries {@code
   * ulIvBits}).
   */
  final class AesGcm implements Mechanism {
    private final byte[] iv;
    private final byte[] aad;
    private final int tagBits;

    public AesGcm(byte[] iv, byte[] aad, int tagBits) {
      this.iv = iv.clone();
      this.aad = aad.clone();
      this.tagBits = tagBits;
    }

    @Override
    public long type() {
      return Pkcs11Constants.CKM_AES_GCM;
    }

    byte[] iv() {
      return iv;
    }

    byte[] aad() {
      return aad;
    }

    int tagBits() {
      return tagBits;
    }
  }
}
