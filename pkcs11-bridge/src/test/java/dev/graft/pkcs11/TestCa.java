package dev.graft.pkcs11;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.jspecify.annotations.Nullable;

/**
 * A small certificate authority for tests, with a software ECDSA P-256 key: it stands in for the
 * operator's CA that issues a gateway its client certificate from a certification request, and the
 * broker its server certificate.
 */
final class TestCa {
  private static final Duration VALIDITY = Duration.ofDays(1);
  private static final AtomicLong SERIALS = new AtomicLong(1);

  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestCa(KeyPair keys, X509Certificate certificate) {
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A self-signed root CA named {@code CN=<name>}. */
  static TestCa create(String name) throws Exception {
    KeyPair keys = ecKeyPair();
    X500Name subject = new X500Name("CN=" + name);
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder =
        builder(subject, subject, SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()))
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
            .addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                extensions.createSubjectKeyIdentifier(keys.getPublic()));
    return new TestCa(keys, sign(builder, keys));
  }

  X509Certificate certificate() {
    return certificate;
  }

  /**
   * A client certificate (extended key usage clientAuth) for the subject and key of a PKCS#10
   * request, as an operator's CA issues one: only after the request's signature verifies.
   */
  X509Certificate issueClientCertificate(byte[] csrDer) throws Exception {
    PKCS10CertificationRequest request = new PKCS10CertificationRequest(csrDer);
    if (!request.isSignatureValid(
        new JcaContentVerifierProviderBuilder().build(request.getSubjectPublicKeyInfo()))) {
      throw new GeneralSecurityException("the request's signature does not verify");
    }
    return issue(
        request.getSubject(),
        request.getSubjectPublicKeyInfo(),
        KeyPurposeId.id_kp_clientAuth,
        null);
  }

  /** A server certificate for 127.0.0.1 (extended key usage serverAuth). */
  X509Certificate issueServerCertificate(PublicKey key) throws Exception {
    return issue(
        new X500Name("CN=broker.test"),
        SubjectPublicKeyInfo.getInstance(key.getEncoded()),
        KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
  }

  static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private X509Certificate issue(
      X500Name subject,
      SubjectPublicKeyInfo publicKey,
      KeyPurposeId purpose,
      @Nullable GeneralNames alternativeNames)
      throws Exception {
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder =
        builder(
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                subject,
                publicKey)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
            .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
            .addExtension(
                Extension.authorityKeyIdentifier,
                false,
                extensions.createAuthorityKeyIdentifier(certificate));
    if (alternativeNames != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames);
    }
    return sign(builder, keys);
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, SubjectPublicKeyInfo publicKey) {
    Instant now = Instant.now();
    return new X509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIALS.getAndIncrement()),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(VALIDITY)),
        subject,
        publicKey);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }
}
