package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

/** Public keys as tokens store them, and ECDSA signatures between raw and DER — no token needed. */
class TokenPublicKeysTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void tufKey_ecPointOfASoftwareKey_isWrittenExactlyAsSoftwareKeyWritesIt() {
    SoftwareKey software = SoftwareKey.generate(KeyType.ECDSA_P256);
    byte[] point = pointOf(software.publicKey());
    byte[] tokenForm = octetString(point);

    TufKey fromToken =
        TokenPublicKeys.tufKey(
            TokenPublicKeys.ecdsaP256(TokenPublicKeys.P256_PARAMS, tokenForm, "test key"));

    assertThat(fromToken).isEqualTo(software.publicKey());
    assertThat(fromToken.keyId()).isEqualTo(software.publicKey().keyId());
  }

  @Test
  void ecdsaP256_barePoint_isAcceptedToo() {
    SoftwareKey software = SoftwareKey.generate(KeyType.ECDSA_P256);
    byte[] point = pointOf(software.publicKey());
    assertThat(
            TokenPublicKeys.tufKey(
                TokenPublicKeys.ecdsaP256(TokenPublicKeys.P256_PARAMS, point, "test key")))
        .isEqualTo(software.publicKey());
  }

  @Test
  void ecdsaP256_pointOffTheCurve_isRefused() {
    byte[] point = pointOf(SoftwareKey.generate(KeyType.ECDSA_P256).publicKey());
    point[64] ^= 1;
    assertThatThrownBy(
            () -> TokenPublicKeys.ecdsaP256(TokenPublicKeys.P256_PARAMS, point, "key 'k'"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("key 'k'")
        .hasMessageContaining("not a valid P-256 public key");
  }

  @Test
  void ecdsaP256_otherCurve_isRefused() {
    byte[] p384 = HEX.parseHex("06052b81040022");
    byte[] point = pointOf(SoftwareKey.generate(KeyType.ECDSA_P256).publicKey());
    assertThatThrownBy(() -> TokenPublicKeys.ecdsaP256(p384, octetString(point), "key 'k'"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("not on P-256");
  }

  @Test
  void ed25519_bothParameterFormsAndBothPointForms_giveTheRawKey() {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) 7);
    for (byte[] params :
        new byte[][] {TokenPublicKeys.ED25519_OID_PARAMS, TokenPublicKeys.ED25519_NAME_PARAMS}) {
      assertThat(TokenPublicKeys.ed25519(params, octetString(raw), "k")).isEqualTo(raw);
      assertThat(TokenPublicKeys.ed25519(params, raw, "k")).isEqualTo(raw);
    }
    assertThatThrownBy(
            () -> TokenPublicKeys.ed25519(TokenPublicKeys.P256_PARAMS, octetString(raw), "k"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("not Ed25519");
    assertThatThrownBy(() ->
            TokenPublicKeys.ed25519(
                TokenPublicKeys.ED25519_OID_PARAMS, Arrays.copyOf(raw, 31), "k"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("31 bytes");
  }

  @Test
  void rawAndDer_jdkSignatures_convertBothWaysExactly() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    for (int i = 0; i < 64; i++) {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(pair.getPrivate());
      signer.update(new byte[] {(byte) i});
      byte[] der = signer.sign();
      byte[] raw = TokenPublicKeys.derToRaw(der).orElseThrow();
      assertThat(raw).hasSize(64);
      assertThat(TokenPublicKeys.rawToDer(raw)).isEqualTo(der);
    }
  }

  @Test
  void rawToDer_highBitAndShortIntegers_areMinimalDer() {
    byte[] raw = new byte[64];
    raw[0] = (byte) 0x80; // r needs a leading 0x00
    raw[63] = 0x01; // s is the single byte 0x01
    byte[] der = TokenPublicKeys.rawToDer(raw);
    assertThat(HEX.formatHex(der)).isEqualTo("3026" + "022100" + "80" + "00".repeat(31) + "020101");
    assertThat(TokenPublicKeys.derToRaw(der)).hasValue(raw);
  }

  @Test
  void derToRaw_nonDerEncodings_areRefused() {
    String r = "0201" + "01";
    String[] bad = {
      "", // empty
      "3006" + r + r + "00", // trailing byte
      "3081" + "06" + r + r, // long-form length
      "3006" + "020181" + r, // negative r
      "3007" + "02020001" + r, // r with a needless leading zero
      "3026" + "022101" + "00".repeat(32) + r, // r of 33 significant bytes
      "3106" + r + r, // SET, not SEQUENCE
      "3006" + "0301" + "01" + r, // BIT STRING, not INTEGER
    };
    for (String hex : bad) {
      assertThat(TokenPublicKeys.derToRaw(HEX.parseHex(hex))).as(hex).isEmpty();
    }
  }

  @Test
  void rawToDer_wrongLength_isRefused() {
    assertThatThrownBy(() -> TokenPublicKeys.rawToDer(new byte[63]))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("63 bytes");
  }

  private static byte[] pointOf(TufKey key) {
    String body =
        key.publicValue()
            .replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    return SubjectPublicKeyInfo.getInstance(Base64.getDecoder().decode(body))
        .getPublicKeyData()
        .getOctets();
  }

  static byte[] octetString(byte[] content) {
    byte[] out = new byte[content.length + 2];
    out[0] = 0x04;
    out[1] = (byte) content.length;
    System.arraycopy(content, 0, out, 2, content.length);
    return out;
  }
}
