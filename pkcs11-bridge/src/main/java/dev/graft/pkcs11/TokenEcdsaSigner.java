package dev.graft.pkcs11;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.internal.Pkcs11Constants;

/**
 * Signs with an ECDSA P-256 private key that never leaves its token: the host hashes the message
 * with SHA-256 and the token signs the digest ({@code CKM_ECDSA}); the token's raw {@code r ‖ s} is
 * re-encoded as DER, the form TUF ECDSA signatures take. Safe to use from several threads (see
 * {@link TokenSession}).
 */
public final class TokenEcdsaSigner implements Signer {
  private static final int SHA256_BYTES = 32;

  private final TokenSession session;
  private final TokenKeyPair pair;

  private TokenEcdsaSigner(TokenSession session, TokenKeyPair pair) {
    this.session = session;
    this.pair = pair;
  }

  /**
   * A signer for a key pair already on the token.
   *
   * @throws Pkcs11Exception if the pair is not ECDSA P-256 or the token lacks {@code CKM_ECDSA}
   */
  public static TokenEcdsaSigner of(TokenSession session, TokenKeyPair pair) {
    if (pair.type() != KeyType.ECDSA_P256) {
      throw new Pkcs11Exception(
          "key '" + pair.label() + "' is " + pair.type().keyType() + ", not an ECDSA P-256 key");
    }
    if (!session.token().advertises(Pkcs11Constants.CKM_ECDSA)) {
      throw new Pkcs11Exception(
          session.token().where() + " does not offer CKM_ECDSA, so it cannot sign with ECDSA");
    }
    return new TokenEcdsaSigner(session, pair);
  }

  /**
   * The signer for the one private key matching {@code query}; see {@link
   * TokenSession#findKeyPair}.
   */
  public static TokenEcdsaSigner find(TokenSession session, ObjectQuery query) {
    return of(session, session.findKeyPair(query.ofKeyType(Pkcs11Constants.CKK_EC)));
  }

  @Override
  public TufKey publicKey() {
    return pair.publicKey();
  }

  public TokenKeyPair keyPair() {
    return pair;
  }

  @Override
  public byte[] sign(byte[] message) {
    return signDigest(TokenSession.sha256(message));
  }

  /**
   * The DER signature of a SHA-256 digest the caller computed: for the JCA {@code Signature} and
   * Bouncy Castle {@code ContentSigner} bridges, which hash as the data streams in.
   */
  byte[] signDigest(byte[] sha256) {
    if (sha256.length != SHA256_BYTES) {
      throw new Pkcs11Exception(
          "an ECDSA P-256 signature is made over a 32-byte SHA-256 digest, not "
              + sha256.length
              + " bytes");
    }
    byte[] raw = session.sign(pair.privateObject(), Pkcs11Constants.CKM_ECDSA, sha256);
    return TokenPublicKeys.rawToDer(raw);
  }

  @Override
  public String description() {
    return "ECDSA P-256 key inside token '"
        + session.token().label()
        + "' (PKCS#11, "
        + (pair.extractable() ? "extractable" : "non-extractable")
        + ")";
  }

  @Override
  public String toString() {
    return "TokenEcdsaSigner[" + description() + ", " + keyId() + "]";
  }
}
