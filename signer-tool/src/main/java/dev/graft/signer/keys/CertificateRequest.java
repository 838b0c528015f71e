package dev.graft.signer.keys;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.signer.CliException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.PKCSException;

/**
 * A PKCS#10 certification request (RFC 2986) signed by any Graft {@link Signer} — a key file or a
 * token key — for the TLS client certificate a release engineer publishes to the broker with.
 *
 * <p>ECDSA P-256 requests are signed {@code ecdsa-with-SHA256}, Ed25519 requests {@code id-Ed25519}
 * (RFC 8410). Composite keys are refused: TLS stacks (OpenSSL 3 in Mosquitto, the JDK) do not
 * accept composite ML-DSA certificates, and using one half of a TUF signing key as a TLS key would
 * let one protocol's signatures be replayed in the other; a TLS identity gets its own ECDSA P-256
 * key. The request's signature is checked with the public key before it is returned.
 */
public final class CertificateRequest {
  private static final ASN1ObjectIdentifier ED25519 = new ASN1ObjectIdentifier("1.3.101.112");
  private static final String LABEL = "CERTIFICATE REQUEST";

  private CertificateRequest() {}

  /**
   * The DER request for {@code subjectDn} (RFC 4514, e.g. {@code CN=alice,O=Example Ltd}) signed by
   * {@code signer}.
   *
   * @throws CliException for a malformed or empty name, a composite key, or a signature that does
   *     not verify
   */
  public static byte[] create(Signer signer, String subjectDn) {
    TufKey key = signer.publicKey();
    KeyType type = key.type().orElse(KeyType.RSA_PSS_SHA256);
    AlgorithmIdentifier algorithm =
        switch (type) {
          case ECDSA_P256 -> new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
          case ED25519 -> new AlgorithmIdentifier(ED25519);
          case MLDSA65_ED25519 ->
              throw new CliException(
                  "key "
                      + key.keyId()
                      + " is a composite mldsa65-ed25519 key; graft makes certification requests"
                      + " for ECDSA P-256 and Ed25519 keys only, because TLS stacks (OpenSSL in"
                      + " Mosquitto, the JDK) do not accept composite certificates and a TUF"
                      + " signing key must not double as a TLS key. Generate a TLS key with"
                      + " `graft key generate --type ecdsa-p256` and request its certificate");
          case RSA_PSS_SHA256 ->
              throw new CliException(
                  "key "
                      + key.keyId()
                      + " is of type "
                      + key.keyType()
                      + "; graft cannot sign"
                      + " with it");
        };
    X500Principal subject;
    try {
      subject = new X500Principal(subjectDn);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "--subject \"" + subjectDn + "\" is not a distinguished name (" + e.getMessage() + ")",
          e);
    }
    if (subject.getEncoded().length <= 2) {
      throw new CliException(
          "--subject is empty; give a distinguished name such as \"CN=alice,O=Example Ltd\"");
    }
    byte[] spki = PublicKeyPem.der(key);
    PKCS10CertificationRequest request =
        new PKCS10CertificationRequestBuilder(
                X500Name.getInstance(subject.getEncoded()), SubjectPublicKeyInfo.getInstance(spki))
            .build(new SignerContent(signer, algorithm));
    PublicKey publicKey = jdkPublicKey(spki, type);
    boolean valid;
    try {
      valid = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey));
    } catch (OperatorCreationException | PKCSException e) {
      throw new CliException(
          "cannot check the signature of the certification request: " + e.getMessage(), e);
    }
    if (!valid) {
      throw new CliException(
          "the signature "
              + signer.description()
              + " made on the certification request does not verify with its public key");
    }
    try {
      return request.getEncoded();
    } catch (IOException e) {
      throw new CliException("cannot encode the certification request: " + e.getMessage(), e);
    }
  }

  /** The request as PEM, as OpenSSL writes it. */
  public static String pem(byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + LABEL + "-----\n" + body + "\n-----END " + LABEL + "-----\n";
  }

  private static PublicKey jdkPublicKey(byte[] spki, KeyType type) {
    try {
      return KeyFactory.getInstance(type == KeyType.ED25519 ? "Ed25519" : "EC")
          .generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new CliException("the public key is not usable: " + e.getMessage(), e);
    }
  }

  /**
   * Bouncy Castle's signing hook over a Graft signer: the request body is collected (it is a few
   * hundred bytes) and signed in one call, so the signer applies its own hashing — SHA-256 for
   * ECDSA, none for Ed25519 — exactly as the algorithm identifier says.
   */
  private static final class SignerContent implements ContentSigner {
    private final Signer signer;
    private final AlgorithmIdentifier algorithm;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    SignerContent(Signer signer, AlgorithmIdentifier algorithm) {
      this.signer = signer;
      this.algorithm = algorithm;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return algorithm;
    }

    @Override
    public OutputStream getOutputStream() {
      return body;
    }

    @Override
    public byte[] getSignature() {
      return signer.sign(body.toByteArray());
    }
  }
}
