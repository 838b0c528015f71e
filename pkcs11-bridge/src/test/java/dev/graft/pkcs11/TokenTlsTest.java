package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.pkcs11.TlsTestServer.Outcome;
import java.io.IOException;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS client authentication with an ECDSA key generated in a SoftHSM2 token: request, certificate
 * from the operator's (test) CA, handshake with a server that requires a client certificate — over
 * TLS 1.3 and 1.2 — and the handshakes that must fail.
 */
class TokenTlsTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-tls-test");

  static final String SUBJECT = "CN=gw-0042,OU=gateways,O=Graft Test";
  private static final String OPERATOR_CA = "Graft Test Operator CA";

  private static Pkcs11Module module;
  private static TokenEcdsaSigner signer;
  private static TestCa ca;
  private static X509Certificate clientCertificate;

  @BeforeAll
  static void issueClientCertificate() throws Exception {
    module = Pkcs11Module.open(TOKEN.modulePath());
    TokenSession session = TOKEN.openLoggedIn(module);
    signer = TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("tls-identity"));
    ca = TestCa.create(OPERATOR_CA);
    clientCertificate = ca.issueClientCertificate(TokenCsr.create(signer, SUBJECT).der());
  }

  @AfterAll
  static void closeToken() {
    module.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void handshake_tokenKeyAndCaIssuedCertificate_serverSeesTheClient(String protocol)
      throws Exception {
    TokenKeyManager keyManager =
        TokenKeyManager.of(signer, List.of(clientCertificate, ca.certificate()));
    SSLContext context = keyManager.sslContext(List.of(ca.certificate()));

    assertHandshakeAuthenticates(ca, context, protocol, SUBJECT);
    assertThat(Security.getProvider(TokenKeyProvider.NAME)).isSameAs(TokenKeyProvider.instance());
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void handshake_withoutClientCertificate_isRefusedByTheServer(String protocol) throws Exception {
    TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
    trust.init(TlsTestServer.trustStore(List.of(ca.certificate())));
    SSLContext anonymous = SSLContext.getInstance("TLS");
    anonymous.init(null, trust.getTrustManagers(), null);

    assertThat(assertHandshakeRefused(ca, anonymous, protocol))
        .hasMessageContaining("Empty client certificate chain");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void handshake_certificateFromAnotherCa_isNotOfferedAndTheServerRefuses(String protocol)
      throws Exception {
    TestCa stranger = TestCa.create("Some Other CA");
    X509Certificate foreign =
        stranger.issueClientCertificate(TokenCsr.create(signer, SUBJECT).der());
    SSLContext context =
        TokenKeyManager.of(signer, List.of(foreign, stranger.certificate()))
            .sslContext(List.of(ca.certificate()));

    // The server names the CAs it accepts; the key manager offers nothing it would refuse.
    assertThat(assertHandshakeRefused(ca, context, protocol))
        .hasMessageContaining("Empty client certificate chain");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void handshake_certificateFromAnImpostorCaOfTheSameName_isRefusedByTheServer(String protocol)
      throws Exception {
    TestCa impostor = TestCa.create(OPERATOR_CA);
    X509Certificate forged =
        impostor.issueClientCertificate(TokenCsr.create(signer, SUBJECT).der());
    SSLContext context =
        TokenKeyManager.of(signer, List.of(forged)).sslContext(List.of(ca.certificate()));

    // The name matches, so the certificate is sent, and the server's path validation rejects it.
    assertThat(assertHandshakeRefused(ca, context, protocol))
        .hasMessageNotContaining("Empty client certificate chain")
        .hasRootCauseInstanceOf(java.security.cert.CertPathValidatorException.class);
  }

  @Test
  void handshake_serverFromAnotherCa_isRefusedByTheClient() throws Exception {
    TestCa stranger = TestCa.create("Some Other CA");
    SSLContext context =
        TokenKeyManager.of(signer, List.of(clientCertificate))
            .sslContext(List.of(stranger.certificate()));
    try (TlsTestServer server = TlsTestServer.start(ca, "TLSv1.3")) {
      assertThatThrownBy(() -> server.exchange(context, "TLSv1.3", "ping"))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void of_certificateOfAnotherKey_isRefused() throws Exception {
    X509Certificate other = ca.issueServerCertificate(TestCa.ecKeyPair().getPublic());
    assertThatThrownBy(() -> TokenKeyManager.of(signer, List.of(other)))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("CN=broker.test")
        .hasMessageContaining("its public key is another one");
    assertThatThrownBy(() -> TokenKeyManager.of(signer, List.of()))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("chain is empty");
  }

  @Test
  void chooseClientAlias_offersTheKeyOnlyForEcAndAcceptedIssuers() {
    TokenKeyManager keyManager = TokenKeyManager.of(signer, List.of(clientCertificate));
    String alias = keyManager.alias();
    X500Principal operatorCa = ca.certificate().getSubjectX500Principal();
    X500Principal otherCa = new X500Principal("CN=Some Other CA");

    assertThat(keyManager.chooseClientAlias(new String[] {"EC"}, null, null)).isEqualTo(alias);
    assertThat(keyManager.chooseClientAlias(new String[] {"RSA", "EC"}, null, null))
        .isEqualTo(alias);
    assertThat(keyManager.chooseClientAlias(new String[] {"RSA"}, null, null)).isNull();
    assertThat(
            keyManager.chooseClientAlias(
                new String[] {"EC"}, new X500Principal[] {otherCa, operatorCa}, null))
        .isEqualTo(alias);
    assertThat(
            keyManager.chooseClientAlias(new String[] {"EC"}, new X500Principal[] {otherCa}, null))
        .isNull();
    assertThat(keyManager.chooseServerAlias("EC", null, null)).isNull();
    assertThat(keyManager.getServerAliases("EC", null)).isNull();
    assertThat(keyManager.getPrivateKey(alias)).isInstanceOf(TokenPrivateKey.class);
    assertThat(keyManager.getPrivateKey("other")).isNull();
    assertThat(keyManager.getCertificateChain(alias)).containsExactly(clientCertificate);
  }

  /** The server completes the handshake, sees {@code subject}, and data goes both ways. */
  static void assertHandshakeAuthenticates(
      TestCa ca, SSLContext client, String protocol, String subject) throws Exception {
    try (TlsTestServer server = TlsTestServer.start(ca, protocol)) {
      String answer = server.exchange(client, protocol, "status ok");

      assertThat(answer).isEqualTo("hello " + subject + ": status ok");
      assertThat(server.outcome()).isEqualTo(new Outcome.Served(subject, protocol, "status ok"));
    }
  }

  /**
   * The server refuses the handshake; returns the server's failure. The client may learn of it only
   * when it reads: in TLS 1.3 its side of the handshake ends before the server has checked the
   * client certificate.
   */
  static SSLHandshakeException assertHandshakeRefused(TestCa ca, SSLContext client, String protocol)
      throws Exception {
    try (TlsTestServer server = TlsTestServer.start(ca, protocol)) {
      assertThatThrownBy(() -> server.exchange(client, protocol, "let me in"))
          .isInstanceOf(IOException.class);
      Outcome outcome = server.outcome();
      assertThat(outcome).isInstanceOf(Outcome.Refused.class);
      Exception failure = ((Outcome.Refused) outcome).failure();
      assertThat(failure).isInstanceOf(SSLHandshakeException.class);
      return (SSLHandshakeException) failure;
    }
  }
}
