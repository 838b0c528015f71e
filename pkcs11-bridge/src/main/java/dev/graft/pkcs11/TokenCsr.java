package dev.graft.pkcs11;

import dev.graft.bundle.Digests;
import dev.graft.bundle.keys.TufKey;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import javax.security.auth.x500.X500Principal;
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
 * A PKCS#10 certification request (RFC 2986) for an ECDSA P-256 key held in a token, signed by the
 * token: what a gateway hands its operator's CA to get the client certificate it logs in to the
 * broker with. The request carries the subject name and the public key read from the token, and is
 * signed with {@code ecdsa-with-SHA256}; the CA decides the rest (validity, key usage, extended key
 * usage). Before it is returned, its signature is checked against the public key.
 */
public final class TokenCsr {
  private static final String PEM_LABEL = "CERTIFICATE REQUEST";

  private final X500Principal subject;
  private final TufKey publicKey;
  private final byte[] der;

  private TokenCsr(X500Principal subject, TufKey publicKey, byte[] der) {
    this.subject = subject;
    this.publicKey = publicKey;
    this.der = der;
  }

  /**
   * A request for {@code key} with the subject {@code subjectDn}, an RFC 4514 distinguished name
   * such as {@code CN=gw-0042,OU=gateways,O=Example Ltd}.
   *
   * @throws Pkcs11Exception if the name is empty or malformed, or the token cannot sign (its
   *     message names the token)
   */
  public static TokenCsr create(TokenEcdsaSigner key, String subjectDn) {
    X500Principal subject;
    try {
      subject = new X500Principal(subjectDn);
    } catch (IllegalArgumentException e) {
      throw new Pkcs11Exception(
          "\"" + subjectDn + "\" is not a distinguished name (" + e.getMessage() + ")", e);
    }
    if (subject.getEncoded().length <= 2) {
      throw new Pkcs11Exception(
          "a certification request needs a subject name, such as CN=gw-0042,O=Example Ltd");
    }
    ECPublicKey publicKey = TokenPrivateKey.jdkPublicKey(key);
    PKCS10CertificationRequest request =
        new PKCS10CertificationRequestBuilder(
                X500Name.getInstance(subject.getEncoded()),
                SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()))
            .build(new TokenContentSigner(key));
    checkSignature(request, publicKey, key);
    try {
      return new TokenCsr(subject, key.publicKey(), request.getEncoded());
    } catch (IOException e) {
      throw new Pkcs11Exception("cannot encode the certification request: " + e.getMessage(), e);
    }
  }

  /** The subject name the request asks for. */
  public X500Principal subject() {
    return subject;
  }

  /** The public key the request certifies. */
  public TufKey publicKey() {
    return publicKey;
  }

  /** The DER encoding of the request. */
  public byte[] der() {
    return der.clone();
  }

  /** The request as PEM ({@code -----BEGIN CERTIFICATE REQUEST-----}), as OpenSSL writes it. */
  public String pem() {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + PEM_LABEL + "-----\n" + body + "\n-----END " + PEM_LABEL + "-----\n";
  }

  @Override
  public String toString() {
    return "TokenCsr[" + subject.getName() + ", " + publicKey.keyId() + "]";
  }

  /** A token that signed something else, or with another key, is caught here, not at the CA. */
  private static void checkSignature(
      PKCS10CertificationRequest request, ECPublicKey publicKey, TokenEcdsaSigner key) {
    boolean valid;
    try {
      valid = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey));
    } catch (OperatorCreationException | PKCSException e) {
      throw new Pkcs11Exception(
          "cannot check the signature of the certification request: " + e.getMessage(), e);
    }
    if (!valid) {
      throw new Pkcs11Exception(
          "the signature "
              + key.description()
              + " made on the certification request does not verify with its public key");
    }
  }

  /**
   * Bouncy Castle's signing hook, hashing the request body as it is written and having the token
   * sign the digest.
   */
  private static final class TokenContentSigner implements ContentSigner {
    private static final AlgorithmIdentifier ECDSA_WITH_SHA256 =
        new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);

    private final TokenEcdsaSigner key;
    private final MessageDigest digest;
    private final OutputStream out;

    TokenContentSigner(TokenEcdsaSigner key) {
      this.key = key;
      this.digest = Digests.newSha256();
      this.out =
          new OutputStream() {
            @Override
            public void write(int b) {
              digest.update((byte) b);
            }

            @Override
            public void write(byte[] data, int offset, int length) {
              digest.update(data, offset, length);
            }
          };
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return ECDSA_WITH_SHA256;
    }

    @Override
    public OutputStream getOutputStream() {
      return out;
    }

    @Override
    public byte[] getSignature() {
      return key.signDigest(digest.digest());
    }
  }
}
