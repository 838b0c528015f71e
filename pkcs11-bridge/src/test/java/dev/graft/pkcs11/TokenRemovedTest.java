package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.graft.bundle.keys.Verifiers;
import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import dev.graft.pkcs11.internal.ModuleRegistry;
import dev.graft.pkcs11.testing.NativeEnvironment;
import dev.graft.pkcs11.testing.SoftwareTpm;
import dev.graft.pkcs11.testing.SoftwareTpmToken;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A token that disappears while a session is open — the software TPM behind tpm2-pkcs11 killed —
 * gives a clear error naming the token at the next operation, does not take the JVM down, and the
 * session and module can still be closed.
 */
@SoftwareTpmToken(label = "graft-gw-removed", ecdsaKey = "identity")
class TokenRemovedTest {
  private static final byte[] PAYLOAD = "report 17".getBytes(StandardCharsets.UTF_8);

  @Test
  void sign_tpmGoneMidSession_failsNamingTheTokenAndClosesCleanly(SoftwareTpm tpm)
      throws Exception {
    Map<String, Optional<String>> before = snapshot(tpm.environment());
    NativeEnvironment.setAll(tpm.environment());
    try {
      Pkcs11Uri uri =
          Pkcs11Uri.parse(
              "pkcs11:token="
                  + tpm.tokenLabel()
                  + ";object=identity?module-path="
                  + tpm.modulePath()
                  + "&pin-value="
                  + tpm.userPin());
      TokenConnection connection = TokenConnection.open(uri, PinSource.system());
      TokenEcdsaSigner signer = connection.ecdsaSigner();
      byte[] signature = signer.sign(PAYLOAD);
      assertThat(Verifiers.forKey(signer.publicKey()).orElseThrow().verify(PAYLOAD, signature))
          .as("the token works before it is removed")
          .isTrue();

      ProcessHandle swtpm = tpm.processes().getFirst();
      assertThat(swtpm.info().command()).hasValueSatisfying(c -> assertThat(c).endsWith("swtpm"));
      swtpm.destroyForcibly();
      swtpm.onExit().get(5, TimeUnit.SECONDS);

      CkrException failure = catchThrowableOfType(CkrException.class, () -> signer.sign(PAYLOAD));
      // tpm2-pkcs11 1.9 reports the lost TPM connection (TCTI I/O failure) as a general error;
      // other tokens say device error or removed.
      assertThat(failure.ckr())
          .hasValueSatisfying(ckr ->
              assertThat(ckr)
                  .isIn(
                      Ckr.CKR_GENERAL_ERROR,
                      Ckr.CKR_DEVICE_ERROR,
                      Ckr.CKR_DEVICE_REMOVED,
                      Ckr.CKR_TOKEN_NOT_PRESENT,
                      Ckr.CKR_FUNCTION_FAILED));
      assertThat(failure.function()).startsWith("C_Sign");
      assertThat(failure.getMessage())
          .contains("token '" + tpm.tokenLabel() + "'", tpm.modulePath().toString())
          .contains(failure.codeName(), failure.explanation())
          .doesNotContain(tpm.userPin());
      // It stays an error, not a hang or a crash.
      assertThatThrownBy(() -> signer.sign(PAYLOAD)).isInstanceOf(CkrException.class);

      connection.close();
      assertThat(ModuleRegistry.users(tpm.modulePath())).isZero();
    } finally {
      before.forEach((name, value) ->
          value.ifPresentOrElse(
              v -> NativeEnvironment.set(name, v), () -> NativeEnvironment.unset(name)));
    }
  }

  private static Map<String, Optional<String>> snapshot(Map<String, String> variables) {
    return variables.keySet().stream()
        .collect(Collectors.toMap(name -> name, NativeEnvironment::get));
  }
}
