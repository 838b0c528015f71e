package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.pkcs11.testing.ProcessOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certification requests signed inside a SoftHSM2 token, checked by Bouncy Castle and OpenSSL, and
 * turned into a client certificate by a test CA.
 */
class TokenCsrTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-csr-test");

  private static final String SUBJECT = "CN=gw-0042,OU=gateways,O=Graft Test";
  private static final String KEY_PURPOSE_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @TempDir Path work;

  private static final AtomicInteger KEYS = new AtomicInteger();

  private Pkcs11Module module;
  private TokenSession session;
  private TokenEcdsaSigner signer;

  @BeforeEach
  void openToken() {
    module = Pkcs11Module.open(TOKEN.modulePath());
    session = TOKEN.openLoggedIn(module);
    signer =
        TokenEcdsaSigner.of(
            session, session.generateEcdsaP256KeyPair("csr-key-" + KEYS.incrementAndGet()));
  }

  @AfterEach
  void closeToken() {
    module.close();
  }

  @Test
  void create_tokenKey_requestCarriesSubjectAndTokenKeyAndItsSignatureVerifies() throws Exception {
    TokenCsr csr = TokenCsr.create(signer, SUBJECT);
    PKCS10CertificationRequest request = new PKCS10CertificationRequest(csr.der());

    assertThat(
            request.isSignatureValid(
                new JcaContentVerifierProviderBuilder()
                    .build(TokenPrivateKey.jdkPublicKey(signer))))
        .isTrue();
    assertThat(request.getSignatureAlgorithm().getAlgorithm().getId())
        .as("ecdsa-with-SHA256")
        .isEqualTo("1.2.840.10045.4.3.2");
    assertThat(new X500Principal(request.getSubject().getEncoded()))
        .isEqualTo(new X500Principal(SUBJECT));
    assertThat(csr.subject().getName()).isEqualTo(SUBJECT);
    assertThat(request.getSubjectPublicKeyInfo().getEncoded())
        .isEqualTo(TokenPrivateKey.jdkPublicKey(signer).getEncoded());
    assertThat(csr.publicKey()).isEqualTo(signer.publicKey());
  }

  @Test
  void pem_isTheDerInRfc7468Armour() {
    TokenCsr csr = TokenCsr.create(signer, SUBJECT);
    String pem = csr.pem();

    assertThat(pem)
        .startsWith("-----BEGIN CERTIFICATE REQUEST-----\n")
        .endsWith("\n-----END CERTIFICATE REQUEST-----\n");
    assertThat(pem.lines().filter(line -> !line.startsWith("-----")))
        .allSatisfy(line -> assertThat(line.length()).isBetween(1, 64));
    String body = pem.lines().filter(line -> !line.startsWith("-----")).reduce("", String::concat);
    assertThat(Base64.getDecoder().decode(body)).isEqualTo(csr.der());
  }

  @Test
  void pem_opensslVerifiesItAndRejectsATamperedCopy() throws Exception {
    Assumptions.assumeTrue(SoftHsmToken.onPath("openssl"), "openssl is not installed");
    TokenCsr csr = TokenCsr.create(signer, SUBJECT);
    Path good = Files.writeString(work.resolve("gw.csr"), csr.pem(), StandardCharsets.US_ASCII);

    ProcessOutcome verified = openssl("req", "-in", good.toString(), "-verify", "-noout");
    assertThat(verified.status()).as(verified.stderr()).isZero();
    assertThat(verified.stdout() + verified.stderr())
        .contains("self-signature verify OK")
        .doesNotContain("failure");
    ProcessOutcome subject =
        openssl("req", "-in", good.toString(), "-noout", "-subject", "-nameopt", "RFC2253");
    assertThat(subject.stdout().strip()).isEqualTo("subject=" + SUBJECT);

    // Change one letter of the subject: the signature no longer covers what is there.
    byte[] der = csr.der();
    byte[] name = "gw-0042".getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(der, name);
    der[at] = 'G';
    Path tampered = work.resolve("tampered.csr");
    Files.write(tampered, der);
    ProcessOutcome refused =
        openssl("req", "-inform", "DER", "-in", tampered.toString(), "-verify", "-noout");
    // OpenSSL 3.0 exits with 0 even when the check fails, so read what it says.
    assertThat(refused.stdout() + refused.stderr())
        .contains("verify failure")
        .doesNotContain("verify OK");
  }

  @Test
  void create_caIssuesAClientCertificateForTheTokenKey() throws Exception {
    TestCa ca = TestCa.create("Graft Test Operator CA");
    X509Certificate certificate = ca.issueClientCertificate(TokenCsr.create(signer, SUBJECT).der());

    certificate.verify(ca.certificate().getPublicKey());
    assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo(SUBJECT);
    assertThat(certificate.getPublicKey()).isEqualTo(TokenPrivateKey.jdkPublicKey(signer));
    assertThat(certificate.getExtendedKeyUsage()).containsExactly(KEY_PURPOSE_CLIENT_AUTH);
    assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
  }

  @Test
  void create_malformedOrEmptySubject_isRefused() {
    assertThatThrownBy(() -> TokenCsr.create(signer, "gw-0042"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("\"gw-0042\" is not a distinguished name");
    assertThatThrownBy(() -> TokenCsr.create(signer, ""))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("needs a subject name");
  }

  @Test
  void create_sessionClosed_failsNamingTheToken() {
    session.close();
    assertThatThrownBy(() -> TokenCsr.create(signer, SUBJECT))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("token '" + TOKEN.label() + "'");
  }

  private static ProcessOutcome openssl(String... arguments) {
    String[] command = new String[arguments.length + 1];
    command[0] = "openssl";
    System.arraycopy(arguments, 0, command, 1, arguments.length);
    return ProcessOutcome.run(new ProcessBuilder(command));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
