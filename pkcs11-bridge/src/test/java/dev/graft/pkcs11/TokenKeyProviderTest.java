package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.Verifiers;
import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JCA bridge: {@code Signature.getInstance("SHA256withECDSA")} signs inside a SoftHSM2 token
 * when given a token-held key, and keeps using the JDK's provider for every other key.
 */
class TokenKeyProviderTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-jca-test");

  private static final byte[] MESSAGE =
      "CertificateVerify content, or anything else".getBytes(StandardCharsets.UTF_8);

  private static final AtomicInteger KEYS = new AtomicInteger();

  private Pkcs11Module module;
  private TokenSession session;
  private TokenPrivateKey key;

  @BeforeEach
  void openToken() {
    module = Pkcs11Module.open(TOKEN.modulePath());
    session = TOKEN.openLoggedIn(module);
    key =
        TokenPrivateKey.of(
            TokenEcdsaSigner.of(
                session, session.generateEcdsaP256KeyPair("jca-key-" + KEYS.incrementAndGet())));
  }

  @AfterEach
  void closeToken() {
    module.close();
  }

  @Test
  void getInstance_tokenKey_signsInTheTokenAndTheJdkVerifies() throws Exception {
    Signature signing = Signature.getInstance("SHA256withECDSA");
    signing.initSign(key);
    // Streamed in pieces, as JSSE and certificate builders write.
    signing.update(MESSAGE, 0, 10);
    signing.update(MESSAGE[10]);
    signing.update(MESSAGE, 11, MESSAGE.length - 11);
    byte[] signature = signing.sign();

    assertThat(signing.getProvider().getName()).isEqualTo(TokenKeyProvider.NAME);
    Signature verifying = Signature.getInstance("SHA256withECDSA");
    verifying.initVerify(key.publicKey());
    verifying.update(MESSAGE);
    assertThat(verifying.verify(signature)).isTrue();
    assertThat(verifying.getProvider().getName()).isNotEqualTo(TokenKeyProvider.NAME);
    assertThat(Verifiers.forKey(key.signer().publicKey()).orElseThrow().verify(MESSAGE, signature))
        .isTrue();

    // The same object signs again after sign() reset it; a different message gives a
    // signature that does not verify for the first one.
    byte[] other = Arrays.copyOf(MESSAGE, MESSAGE.length + 1);
    signing.update(other);
    byte[] second = signing.sign();
    verifying.initVerify(key.publicKey());
    verifying.update(MESSAGE);
    assertThat(verifying.verify(second)).isFalse();
  }

  @Test
  void getInstance_softwareKey_stillUsesTheJdkProvider() throws Exception {
    KeyPair software = TestCa.ecKeyPair();
    Signature signing = Signature.getInstance("SHA256withECDSA");
    signing.initSign(software.getPrivate());
    signing.update(MESSAGE);
    byte[] signature = signing.sign();

    assertThat(signing.getProvider().getName()).isNotEqualTo(TokenKeyProvider.NAME);
    Signature verifying = Signature.getInstance("SHA256withECDSA");
    verifying.initVerify(software.getPublic());
    verifying.update(MESSAGE);
    assertThat(verifying.verify(signature)).isTrue();
  }

  @Test
  void install_repeatedly_addsTheProviderOnceAfterAllOthers() {
    TokenKeyProvider.install();
    TokenKeyProvider.install();

    Provider[] providers = Security.getProviders();
    assertThat(providers[providers.length - 1]).isSameAs(TokenKeyProvider.instance());
    assertThat(Arrays.stream(providers).filter(p -> p.getName().equals(TokenKeyProvider.NAME)))
        .hasSize(1);
  }

  @Test
  void service_acceptsTokenKeysAndNothingElse() throws Exception {
    Provider.Service service =
        TokenKeyProvider.instance().getService("Signature", "SHA256withECDSA");
    KeyPair software = TestCa.ecKeyPair();

    assertThat(service.supportsParameter(key)).isTrue();
    assertThat(service.supportsParameter(software.getPrivate())).isFalse();
    assertThat(service.supportsParameter(software.getPublic())).isFalse();
    assertThat(service.supportsParameter(key.publicKey())).isFalse();
    assertThat(TokenKeyProvider.instance().getService("Signature", "1.2.840.10045.4.3.2"))
        .as("found by the OID of ecdsa-with-SHA256 too")
        .isSameAs(service);
    assertThat(TokenKeyProvider.instance().getServices()).containsExactly(service);
  }

  @Test
  void tokenPrivateKey_hasNoEncodingAndTellsJsseItsCurve() {
    assertThat(key.getAlgorithm()).isEqualTo("EC");
    assertThat(key.getFormat()).isNull();
    assertThat(key.getEncoded()).isNull();
    assertThat(key.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(key.getParams()).isEqualTo(key.publicKey().getParams());
    assertThat(key).isNotInstanceOf(ECPrivateKey.class);
    assertThat(key.toString()).contains("non-extractable", key.signer().keyId());
  }

  @Test
  void getInstance_otherHashWithTokenKey_noProviderTakesTheKey() throws Exception {
    Signature sha384 = Signature.getInstance("SHA384withECDSA");
    assertThatThrownBy(() -> sha384.initSign(key)).isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void initVerify_onTheTokenProvider_isRefused() throws Exception {
    Signature explicit = Signature.getInstance("SHA256withECDSA", TokenKeyProvider.NAME);
    assertThatThrownBy(() -> explicit.initVerify(key.publicKey()))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("only signs with token-held keys");
    assertThatThrownBy(() -> explicit.initSign(TestCa.ecKeyPair().getPrivate()))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("not with a");
  }

  @Test
  void sign_sessionClosed_isASignatureExceptionNamingTheToken() throws Exception {
    Signature signing = Signature.getInstance("SHA256withECDSA");
    signing.initSign(key);
    signing.update(MESSAGE);
    session.close();

    assertThatThrownBy(signing::sign)
        .isInstanceOf(SignatureException.class)
        .hasMessageContaining("token '" + TOKEN.label() + "'")
        .hasMessageContaining("session is closed")
        .hasCauseInstanceOf(Pkcs11Exception.class);
  }

  @Test
  void serialise_tokenKey_isRefused() {
    assertThatThrownBy(
            () -> {
              try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
                out.writeObject(key);
              }
            })
        .isInstanceOf(NotSerializableException.class)
        .hasMessageContaining("cannot be serialised");
  }
}
