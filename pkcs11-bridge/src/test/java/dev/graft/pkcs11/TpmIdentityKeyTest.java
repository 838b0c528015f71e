package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.pkcs11.testing.NativeEnvironment;
import dev.graft.pkcs11.testing.ProcessOutcome;
import dev.graft.pkcs11.testing.SoftwareTpm;
import dev.graft.pkcs11.testing.SoftwareTpmToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway identity of the issue's "done when": an ECDSA P-256 key made by {@code tpm2_ptool} in
 * a software TPM, used through the bridge loaded in this JVM. It signs a payload the JDK verifies,
 * signs a certification request, and completes TLS handshakes with client authentication.
 */
@SoftwareTpmToken(label = "graft-gw-identity", ecdsaKey = "identity")
class TpmIdentityKeyTest {
  private static final String SUBJECT = "CN=gw-tpm-0001,OU=gateways,O=Graft Test";
  private static final byte[] PAYLOAD =
      "{\"gateway\":\"gw-tpm-0001\",\"installed\":\"v7\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path work;

  private static Map<String, Optional<String>> environmentBefore;
  private static TokenConnection connection;
  private static TokenEcdsaSigner identity;

  @BeforeAll
  static void openIdentityKey(SoftwareTpm tpm) throws Exception {
    environmentBefore =
        tpm.environment().keySet().stream()
            .collect(Collectors.toMap(name -> name, NativeEnvironment::get));
    // tpm2-pkcs11 reads where its store and TPM are when C_Initialize runs.
    NativeEnvironment.setAll(tpm.environment());
    Path pin =
        Files.createFile(
            work.resolve("token-pin"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(pin, tpm.userPin(), StandardCharsets.UTF_8);
    Pkcs11Uri uri =
        Pkcs11Uri.parse(
            "pkcs11:token="
                + tpm.tokenLabel()
                + ";object=identity;type=private?module-path="
                + tpm.modulePath()
                + "&pin-source=file:"
                + pin);
    connection = TokenConnection.open(uri, PinSource.system());
    identity = connection.ecdsaSigner();
  }

  @AfterAll
  static void close() {
    if (connection != null) {
      connection.close();
    }
    if (environmentBefore != null) {
      environmentBefore.forEach((name, value) ->
          value.ifPresentOrElse(
              v -> NativeEnvironment.set(name, v), () -> NativeEnvironment.unset(name)));
    }
  }

  @Test
  void identityKey_isTheTpmsNonExtractableKey() {
    assertThat(connection.token().manufacturer()).containsIgnoringCase("IBM");
    assertThat(identity.keyPair().label()).isEqualTo("identity");
    assertThat(identity.keyPair().extractable()).isFalse();
    assertThat(identity.description()).contains("graft-gw-identity", "non-extractable");
  }

  @Test
  void sign_payload_jdkVerifiesWithThePublicKeyReadFromTheToken() throws Exception {
    byte[] signature = identity.sign(PAYLOAD);

    PublicKey fromToken = jdkKey(identity);
    Signature jdk = Signature.getInstance("SHA256withECDSA");
    jdk.initVerify(fromToken);
    jdk.update(PAYLOAD);
    assertThat(jdk.verify(signature)).isTrue();
    jdk.initVerify(fromToken);
    jdk.update("{\"installed\":\"v8\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(jdk.verify(signature)).isFalse();
  }

  @Test
  void jcaSignature_tpmKey_signsThroughTheBridge() throws Exception {
    // The key first: making it installs the provider, which getInstance must already see.
    TokenPrivateKey key = TokenPrivateKey.of(identity);
    Signature signing = Signature.getInstance("SHA256withECDSA");
    signing.initSign(key);
    signing.update(PAYLOAD);
    byte[] signature = signing.sign();

    assertThat(signing.getProvider().getName()).isEqualTo(TokenKeyProvider.NAME);
    Signature jdk = Signature.getInstance("SHA256withECDSA");
    jdk.initVerify(jdkKey(identity));
    jdk.update(PAYLOAD);
    assertThat(jdk.verify(signature)).isTrue();
  }

  @Test
  void csr_tpmKey_verifiesWithBouncyCastleAndOpenssl() throws Exception {
    TokenCsr csr = TokenCsr.create(identity, SUBJECT);

    PKCS10CertificationRequest request = new PKCS10CertificationRequest(csr.der());
    assertThat(
            request.isSignatureValid(
                new JcaContentVerifierProviderBuilder().build(jdkKey(identity))))
        .isTrue();
    Path file = Files.writeString(work.resolve("gw-tpm.csr"), csr.pem(), StandardCharsets.US_ASCII);
    ProcessOutcome openssl =
        ProcessOutcome.run(
            new ProcessBuilder("openssl", "req", "-in", file.toString(), "-verify", "-noout"));
    assertThat(openssl.status()).as(openssl.stderr()).isZero();
    assertThat(openssl.stdout() + openssl.stderr())
        .contains("self-signature verify OK")
        .doesNotContain("failure");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void handshake_tpmKeyWithCaIssuedCertificate_authenticatesTheGateway(String protocol)
      throws Exception {
    TestCa ca = TestCa.create("Graft Test Operator CA");
    X509Certificate certificate =
        ca.issueClientCertificate(TokenCsr.create(identity, SUBJECT).der());
    SSLContext context =
        TokenKeyManager.of(identity, List.of(certificate, ca.certificate()))
            .sslContext(List.of(ca.certificate()));

    TokenTlsTest.assertHandshakeAuthenticates(ca, context, protocol, SUBJECT);
  }

  private static PublicKey jdkKey(TokenEcdsaSigner signer) throws Exception {
    String pem = signer.publicKey().publicValue();
    String base64 =
        pem.lines().filter(line -> !line.startsWith("-----")).collect(Collectors.joining());
    return KeyFactory.getInstance("EC")
        .generatePublic(new X509EncodedKeySpec(java.util.Base64.getDecoder().decode(base64)));
  }
}
