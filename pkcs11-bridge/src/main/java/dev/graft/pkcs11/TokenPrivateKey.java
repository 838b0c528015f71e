package dev.graft.pkcs11;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * An ECDSA P-256 private key that stays on its token, shaped as a JCA {@link PrivateKey} so that
 * code written against the JCA — JSSE signing a TLS {@code CertificateVerify}, above all — can sign
 * with it. It has no encoding ({@link #getFormat()} and {@link #getEncoded()} are null): the key
 * cannot leave the token. Signing goes through the {@link TokenKeyProvider}, which {@link #of}
 * installs; JCA's delayed provider selection hands this key class to that provider alone.
 *
 * <p>It implements {@link ECKey} but not {@link java.security.interfaces.ECPrivateKey}: JSSE reads
 * the curve from {@link ECKey#getParams()} to pick the TLS signature scheme, while an {@code
 * ECPrivateKey} would promise a private value ({@code getS()}) that does not exist here, and would
 * make the JDK's own ECDSA provider try (and fail) to use it.
 *
 * <p>Not serialisable: it stands for a key handle in a live session of this process.
 */
public final class TokenPrivateKey implements PrivateKey, ECKey {
  private static final long serialVersionUID = 1L;

  private final transient TokenEcdsaSigner signer;
  private final transient ECPublicKey publicKey;

  private TokenPrivateKey(TokenEcdsaSigner signer, ECPublicKey publicKey) {
    this.signer = signer;
    this.publicKey = publicKey;
  }

  /**
   * The JCA view of a token-held ECDSA P-256 key. Also installs the {@link TokenKeyProvider} (once,
   * after every other provider), which is what lets {@code
   * Signature.getInstance("SHA256withECDSA")} sign with it.
   */
  public static TokenPrivateKey of(TokenEcdsaSigner signer) {
    TokenKeyProvider.install();
    return new TokenPrivateKey(signer, jdkPublicKey(signer));
  }

  /** The public half, as read from the token when the key pair was found or generated. */
  public ECPublicKey publicKey() {
    return publicKey;
  }

  /** The signer behind this key. */
  public TokenEcdsaSigner signer() {
    return signer;
  }

  /** "EC", as JSSE and {@code KeyFactory} name elliptic-curve keys. */
  @Override
  public String getAlgorithm() {
    return "EC";
  }

  /** Null: the key has no encoding outside its token. */
  @Override
  public @Nullable String getFormat() {
    return null;
  }

  /** Null: the key has no encoding outside its token. */
  @Override
  public byte @Nullable [] getEncoded() {
    return null;
  }

  /** The curve (P-256), taken from the public key. */
  @Override
  public ECParameterSpec getParams() {
    return publicKey.getParams();
  }

  @Override
  public String toString() {
    return "TokenPrivateKey[" + signer.description() + ", " + signer.keyId() + "]";
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    throw new NotSerializableException(
        "a token-held key cannot be serialised; it exists only in its token");
  }

  private void readObject(ObjectInputStream in) throws IOException {
    throw new NotSerializableException(
        "a token-held key cannot be serialised; it exists only in its token");
  }

  /** The signer's public key (a PEM SPKI in its TUF key object) as a JDK key. */
  static ECPublicKey jdkPublicKey(TokenEcdsaSigner signer) {
    String pem = signer.publicKey().publicValue();
    String body =
        pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    try {
      return (ECPublicKey)
          KeyFactory.getInstance("EC")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new Pkcs11Exception(
          "the public key of " + signer.description() + " is not a usable P-256 key", e);
    }
  }
}
