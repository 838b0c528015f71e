package dev.graft.pkcs11;

import dev.graft.bundle.Digests;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.spec.AlgorithmParameterSpec;
import org.jspecify.annotations.Nullable;

/**
 * {@code SHA256withECDSA} for {@link TokenPrivateKey}s, behind {@link TokenKeyProvider}: the data
 * is hashed here as it streams in, and the token signs the digest. Signing only — verifying needs
 * just the public key, which the JDK's own provider handles.
 */
final class TokenEcdsaSignature extends SignatureSpi {
  private final MessageDigest digest = sha256();
  private @Nullable TokenPrivateKey key;

  @Override
  protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
    throw new InvalidKeyException(
        TokenKeyProvider.NAME
            + " only signs with token-held keys; verify with the public key through the JDK's"
            + " own provider");
  }

  @Override
  protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
    if (!(privateKey instanceof TokenPrivateKey tokenKey)) {
      throw new InvalidKeyException(
          TokenKeyProvider.NAME
              + " signs only with token-held keys (TokenPrivateKey), not with a "
              + privateKey.getClass().getName());
    }
    key = tokenKey;
    digest.reset();
  }

  @Override
  protected void engineUpdate(byte b) throws SignatureException {
    requireKey();
    digest.update(b);
  }

  @Override
  protected void engineUpdate(byte[] data, int offset, int length) throws SignatureException {
    requireKey();
    digest.update(data, offset, length);
  }

  @Override
  protected byte[] engineSign() throws SignatureException {
    TokenPrivateKey signingKey = requireKey();
    byte[] hash = digest.digest();
    try {
      return signingKey.signer().signDigest(hash);
    } catch (Pkcs11Exception e) {
      throw new SignatureException(
          "the token could not sign with " + signingKey + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected boolean engineVerify(byte[] signature) throws SignatureException {
    throw new SignatureException(TokenKeyProvider.NAME + " does not verify; it only signs");
  }

  @Override
  protected void engineSetParameter(AlgorithmParameterSpec params)
      throws InvalidAlgorithmParameterException {
    throw new InvalidAlgorithmParameterException(
        TokenKeyProvider.SHA256_WITH_ECDSA + " takes no parameters");
  }

  @Override
  @Deprecated
  protected void engineSetParameter(String param, Object value) {
    throw new InvalidParameterException(
        TokenKeyProvider.SHA256_WITH_ECDSA + " takes no parameters");
  }

  @Override
  @Deprecated
  protected Object engineGetParameter(String param) {
    throw new InvalidParameterException(TokenKeyProvider.SHA256_WITH_ECDSA + " has no parameters");
  }

  private TokenPrivateKey requireKey() throws SignatureException {
    TokenPrivateKey signingKey = key;
    if (signingKey == null) {
      throw new SignatureException("the signature was not initialised with a token-held key");
    }
    return signingKey;
  }

  private static MessageDigest sha256() {
    return Digests.newSha256();
  }
}
