package dev.graft.pkcs11;

import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.MLDSASigner;
import org.jspecify.annotations.Nullable;

/**
 * Signs with a {@link TokenCompositeKey}: both halves sign the composite message representative M'
 * ({@link CompositeMlDsa#messageRepresentative}), the Ed25519 half inside the token ({@code
 * CKM_EDDSA}), the ML-DSA-65 half in this process with the seed the token decrypts for this one
 * signature and that is cleared right after. The ML-DSA signature is hedged (randomized), as {@code
 * SoftwareKey} makes it. Output: ML-DSA signature ‖ Ed25519 signature, as the trust core verifies.
 *
 * <p>Safe to use from several threads (see {@link TokenSession}).
 */
public final class TokenCompositeSigner implements Signer {
  private final TokenSession session;
  private final TokenCompositeKey key;
  private final SecureRandom random = new SecureRandom();

  private TokenCompositeSigner(TokenSession session, TokenCompositeKey key) {
    this.session = session;
    this.key = key;
  }

  /**
   * A signer for a composite key on the token of {@code session}.
   *
   * @throws Pkcs11Exception when the token lacks {@code CKM_EDDSA} or {@code CKM_AES_GCM}
   */
  public static TokenCompositeSigner of(TokenSession session, TokenCompositeKey key) {
    for (long mechanism : new long[] {Pkcs11Constants.CKM_EDDSA, Pkcs11Constants.CKM_AES_GCM}) {
      if (!session.token().advertises(mechanism)) {
        throw new Pkcs11Exception(
            session.token().where()
                + " does not offer mechanism 0x"
                + Long.toHexString(mechanism)
                + ", so it cannot sign with composite key '"
                + key.label()
                + "'");
      }
    }
    return new TokenCompositeSigner(session, key);
  }

  /** The signer for the composite key whose Ed25519 private key matches {@code query}. */
  public static TokenCompositeSigner find(TokenSession session, ObjectQuery query) {
    return of(session, TokenCompositeKey.find(session, query));
  }

  public TokenCompositeKey key() {
    return key;
  }

  @Override
  public TufKey publicKey() {
    return key.publicKey();
  }

  /**
   * The composite signature of {@code message}.
   *
   * @throws Pkcs11Exception when the token fails, the wrapped seed does not decrypt, or it yields
   *     an ML-DSA key other than the stored public key
   */
  @Override
  public byte[] sign(byte[] message) {
    byte[] representative = CompositeMlDsa.messageRepresentative(message);
    byte[] mldsa = signMlDsa(representative);
    byte[] ed25519 =
        session.sign(
            key.ed25519KeyPair().privateObject(), Pkcs11Constants.CKM_EDDSA, representative);
    if (ed25519.length != CompositeMlDsa.ED25519_SIGNATURE_BYTES) {
      throw new Pkcs11Exception(
          session.token().where()
              + " returned an Ed25519 signature of "
              + ed25519.length
              + " bytes instead of 64");
    }
    byte[] signature = Arrays.copyOf(mldsa, CompositeMlDsa.SIGNATURE_BYTES);
    System.arraycopy(ed25519, 0, signature, mldsa.length, ed25519.length);
    return signature;
  }

  private byte[] signMlDsa(byte[] representative) {
    byte[] seed = key.unwrapSeed(session);
    @Nullable MLDSAPrivateKeyParameters mldsa = null;
    try {
      mldsa = new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed);
      // The seed is checked on every use, not only the first: deriving the public key is part of
      // expanding the seed anyway, and a wrong key must never sign.
      if (!Arrays.equals(mldsa.getPublicKeyParameters().getEncoded(), key.mldsaPublicKey())) {
        throw new Pkcs11Exception(
            session.token().where()
                + ": the ML-DSA seed of composite key '"
                + key.label()
                + "' yields a different public key than the one stored with it; refusing to sign");
      }
      MLDSASigner signer = new MLDSASigner();
      signer.init(
          true,
          new ParametersWithContext(
              new ParametersWithRandom(mldsa, random), CompositeMlDsa.label()));
      signer.update(representative, 0, representative.length);
      byte[] signature = signer.generateSignature();
      if (signature.length != CompositeMlDsa.MLDSA_SIGNATURE_BYTES) {
        throw new Pkcs11Exception(
            "ML-DSA-65 produced a signature of " + signature.length + " bytes instead of 3309");
      }
      return signature;
    } catch (CryptoException e) {
      throw new Pkcs11Exception(
          "ML-DSA-65 signing with composite key '" + key.label() + "' failed", e);
    } finally {
      Arrays.fill(seed, (byte) 0);
      if (mldsa != null) {
        mldsa.destroy();
      }
    }
  }

  /** Says plainly where each half lives; the ML-DSA half is not an HSM-resident key. */
  @Override
  public String description() {
    Token token = session.token();
    String description =
        "composite mldsa65-ed25519 key '"
            + key.label()
            + "' on token '"
            + token.label()
            + "': Ed25519 half inside the token; ML-DSA-65 half stored wrapped (AES-GCM under "
            + (key.wrappingKeyExtractable() ? "an EXTRACTABLE" : "a non-extractable")
            + " token key) and decrypted into memory for each signature — a software key protected"
            + " by the token and its PIN, not an HSM-resident key";
    for (String note : TokenKeyListing.notes(token.mechanisms())) {
      description += " (" + note + ")";
    }
    return description;
  }

  @Override
  public String toString() {
    return "TokenCompositeSigner[" + key.label() + ", " + keyId() + "]";
  }
}
