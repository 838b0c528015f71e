package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link Verifier} contract: a damaged key is ignored (no verifier) or yields a verifier, and a
 * bad signature is answered with {@code false}; neither ever throws.
 */
class VerifiersTest {
  private static final byte[] MESSAGE = "targets".getBytes(StandardCharsets.UTF_8);

  private static TufKey publicKey(KeyType type) throws Exception {
    if (type == KeyType.RSA_PSS_SHA256) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return TufKey.of(
          type, Pem.encode("PUBLIC KEY", generator.generateKeyPair().getPublic().getEncoded()));
    }
    return SoftwareKey.generate(type).publicKey();
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void forKey_damagedPublicValues_neverThrows(KeyType type) throws Exception {
    String value = publicKey(type).publicValue();
    Random random = new Random(type.name().hashCode());
    int ignored = 0;
    for (int i = 0; i < 300; i++) {
      char[] chars = value.toCharArray();
      int at = random.nextInt(chars.length);
      chars[at] = (char) (' ' + random.nextInt(95));
      String damaged =
          random.nextBoolean()
              ? new String(chars)
              : value.substring(0, random.nextInt(value.length()));
      Optional<Verifier> verifier = Verifiers.forKey(TufKey.of(type, damaged));
      if (verifier.isEmpty()) {
        ignored++;
      } else {
        assertThat(verifier.get().verify(MESSAGE, new byte[64])).isFalse();
      }
    }
    assertThat(ignored).isPositive();
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void verify_randomSignaturesOfAnyLength_answerFalse(KeyType type) throws Exception {
    Verifier verifier = Verifiers.forKey(publicKey(type)).orElseThrow();
    Random random = new Random(100 + type.name().hashCode());
    for (int length : new int[] {0, 1, 63, 64, 65, 70, 71, 72, 255, 256, 257, 3309, 3373, 3374}) {
      byte[] signature = new byte[length];
      random.nextBytes(signature);
      if (length > 0) {
        signature[0] = 0x30; // looks like the start of a DER SEQUENCE, for the ECDSA parser
      }
      assertThat(verifier.verify(MESSAGE, signature)).as("length %d", length).isFalse();
    }
  }
}
