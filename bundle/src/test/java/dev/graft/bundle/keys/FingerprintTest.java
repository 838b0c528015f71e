package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import java.security.KeyPairGenerator;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A key listed under two key ids must count once toward a threshold: the fingerprint depends on the
 * key material only, not on the key object's other members or on how the value is spelled.
 */
class FingerprintTest {
  private static TufKey publicKey(KeyType type) throws Exception {
    if (type == KeyType.RSA_PSS_SHA256) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return TufKey.of(
          type, Pem.encode("PUBLIC KEY", generator.generateKeyPair().getPublic().getEncoded()));
    }
    return SoftwareKey.generate(type).publicKey();
  }

  private static String fingerprint(TufKey key) {
    return Verifiers.forKey(key).orElseThrow().fingerprint();
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void fingerprint_sameKeyWithExtraUnknownMember_isTheSameDespiteOtherKeyId(KeyType type)
      throws Exception {
    TufKey plain = publicKey(type);
    JsonObject json = plain.json().toBuilder().put("keyid_hash_algorithms", "sha256").build();
    TufKey decorated = TufKey.fromJson(json);

    assertThat(decorated.keyId()).isNotEqualTo(plain.keyId());
    assertThat(fingerprint(decorated)).isEqualTo(fingerprint(plain));
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void fingerprint_differentKeysOfOneType_differ(KeyType type) throws Exception {
    assertThat(fingerprint(publicKey(type))).isNotEqualTo(fingerprint(publicKey(type)));
  }

  @Test
  void fingerprint_ed25519InUpperCaseHex_isTheSame() {
    TufKey lower = SoftwareKey.generate(KeyType.ED25519).publicKey();
    TufKey upper = TufKey.of(KeyType.ED25519, lower.publicValue().toUpperCase(Locale.ROOT));

    assertThat(upper.keyId()).isNotEqualTo(lower.keyId());
    assertThat(fingerprint(upper)).isEqualTo(fingerprint(lower));
  }

  @Test
  void fingerprint_ecdsaPemWrappedDifferently_isTheSame() {
    TufKey key = SoftwareKey.generate(KeyType.ECDSA_P256).publicKey();
    String oneLine =
        key.publicValue()
            .replace("\n", "")
            .replace("-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\n")
            .replace("-----END PUBLIC KEY-----", "\n-----END PUBLIC KEY-----");
    TufKey rewrapped = TufKey.of(KeyType.ECDSA_P256, oneLine);

    assertThat(rewrapped.keyId()).isNotEqualTo(key.keyId());
    assertThat(fingerprint(rewrapped)).isEqualTo(fingerprint(key));
  }
}
