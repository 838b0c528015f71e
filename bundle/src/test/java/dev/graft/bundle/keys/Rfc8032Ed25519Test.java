package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8032 section 7.1: Graft's Ed25519 verifier accepts, and its signer reproduces, the vectors.
 */
class Rfc8032Ed25519Test {
  private static final List<VectorFile.Entry> VECTORS = VectorFile.records("rfc8032-ed25519.txt");

  static Stream<Arguments> vectors() {
    return VECTORS.stream().map(v -> Arguments.of(v.get("name"), v));
  }

  @Test
  void vectorFile_holdsTheFiveRequiredTests() {
    assertThat(VECTORS)
        .extracting(v -> v.get("name"))
        .containsExactly("TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)");
    assertThat(VECTORS.get(3).hex("message")).hasSize(1023);
  }

  @Test
  void vectorShaAbc_messageIsSha512OfAbc() throws Exception {
    byte[] digest =
        MessageDigest.getInstance("SHA-512").digest("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(VECTORS.get(4).hex("message")).isEqualTo(digest);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void verify_rfcVector_accepts(String name, VectorFile.Entry vector) {
    Verifier verifier = verifierFor(vector.get("public"));
    assertThat(verifier.verify(vector.hex("message"), vector.hex("signature"))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void verify_rfcVectorWithOneBitFlipped_rejects(String name, VectorFile.Entry vector) {
    Verifier verifier = verifierFor(vector.get("public"));
    byte[] message = vector.hex("message");
    byte[] signature = vector.hex("signature");

    byte[] badSignature = signature.clone();
    badSignature[10] ^= 0x01;
    byte[] longerMessage = new byte[message.length + 1];
    System.arraycopy(message, 0, longerMessage, 0, message.length);

    assertThat(verifier.verify(message, badSignature)).isFalse();
    assertThat(verifier.verify(longerMessage, signature)).isFalse();
    if (message.length > 0) {
      byte[] badMessage = message.clone();
      badMessage[message.length - 1] ^= 0x01;
      assertThat(verifier.verify(badMessage, signature)).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void sign_rfcSecretKey_reproducesPublicKeyAndSignature(String name, VectorFile.Entry vector)
      throws IOException {
    SoftwareKey key =
        SoftwareKey.fromPrivateKeyInfo(
            new PrivateKeyInfo(
                new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.3.101.112")),
                new DEROctetString(vector.hex("secret"))),
            "from RFC 8032");

    assertThat(key.publicKey().publicValue()).isEqualTo(vector.get("public"));
    assertThat(HexFormat.of().formatHex(key.sign(vector.hex("message"))))
        .isEqualTo(vector.get("signature"));
  }

  private static Verifier verifierFor(String publicHex) {
    return Verifiers.forKey(TufKey.of(KeyType.ED25519, publicHex)).orElseThrow();
  }
}
