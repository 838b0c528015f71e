package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.signers.MLDSASigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FIPS 204 known answers for the ML-DSA-65 primitive the composite verifier is built on. The NIST
 * ACVP vectors test ML-DSA.Verify_internal, whose message is M' itself; the external interface
 * Graft uses (M' = 0 ‖ len(ctx) ‖ ctx ‖ M) is covered by the composite draft's vectors in {@link
 * CompositeMlDsaTest}. Algorithm 8 computes μ = H(H(pk, 64) ‖ M', 64) and checks the signature
 * against μ, which is what Bouncy Castle's {@code verifyMuSignature} takes.
 */
class MlDsa65AcvpTest {
  private static final List<VectorFile.Entry> RECORDS =
      VectorFile.records("acvp-mldsa65-sigver.txt");
  private static final byte[] PUBLIC_KEY = RECORDS.get(0).hex("pk");

  static Stream<Arguments> cases() {
    return RECORDS.stream()
        .skip(1)
        .map(r ->
            Arguments.of(
                r.get("tcId"),
                r.hex("message"),
                r.hex("signature"),
                Boolean.parseBoolean(r.get("testPassed"))));
  }

  @Test
  void vectorFile_holdsValidAndInvalidMlDsa65Cases() {
    assertThat(RECORDS.get(0).get("parameterSet")).isEqualTo("ML-DSA-65");
    assertThat(PUBLIC_KEY).hasSize(CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES);
    assertThat(RECORDS.stream().skip(1).map(r -> r.get("testPassed")))
        .containsExactly("true", "true", "false");
  }

  @ParameterizedTest(name = "tcId {0} testPassed={3}")
  @MethodSource("cases")
  void verifyInternal_acvpCase_matchesExpectedResult(
      String tcId, byte[] message, byte[] signature, boolean expected) {
    assertThat(verifyInternal(message, signature)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "tcId {0}")
  @MethodSource("cases")
  void verifyInternal_acvpCaseWithMessageChanged_rejects(
      String tcId, byte[] message, byte[] signature, boolean expected) {
    byte[] changed = message.clone();
    changed[0] ^= 0x01;
    assertThat(verifyInternal(changed, signature)).isFalse();
  }

  private static boolean verifyInternal(byte[] message, byte[] signature) {
    byte[] tr = shake256(PUBLIC_KEY);
    SHAKEDigest muDigest = new SHAKEDigest(256);
    muDigest.update(tr, 0, tr.length);
    muDigest.update(message, 0, message.length);
    byte[] mu = new byte[64];
    muDigest.doFinal(mu, 0, mu.length);

    MLDSASigner verifier = new MLDSASigner();
    verifier.init(false, new MLDSAPublicKeyParameters(MLDSAParameters.ml_dsa_65, PUBLIC_KEY));
    return verifier.verifyMuSignature(mu, signature);
  }

  private static byte[] shake256(byte[] input) {
    SHAKEDigest digest = new SHAKEDigest(256);
    digest.update(input, 0, input.length);
    byte[] out = new byte[64];
    digest.doFinal(out, 0, out.length);
    return out;
  }
}
