package dev.graft.pkcs11;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.internal.Pkcs11Constants;

/**
 * Signs with an Ed25519 private key that never leaves its token ({@code CKM_EDDSA}, pure Ed25519,
 * one-shot). Tokens sign only short messages this way (SoftHSM2: at most 1024 bytes), so this
 * signer is meant for the Ed25519 half of a composite key, whose message is a short fixed-size
 * representative; token-held keys for whole TUF files are ECDSA ({@code trust.md}). Longer messages
 * are refused here with a clear error rather than left for the token to fail on.
 */
final class TokenEd25519Signer implements Signer {
  /** The longest message signed, the limit of SoftHSM2's one-shot {@code CKM_EDDSA}. */
  public static final int MAX_MESSAGE_BYTES = 1024;

  private final TokenSession session;
  private final TokenKeyPair pair;

  private TokenEd25519Signer(TokenSession session, TokenKeyPair pair) {
    this.session = session;
    this.pair = pair;
  }

  /**
   * A signer for a key pair already on the token.
   *
   * @throws Pkcs11Exception if the pair is not Ed25519 or the token lacks {@code CKM_EDDSA}
   */
  public static TokenEd25519Signer of(TokenSession session, TokenKeyPair pair) {
    if (pair.type() != KeyType.ED25519) {
      throw new Pkcs11Exception(
          "key '" + pair.label() + "' is " + pair.type().keyType() + ", not an Ed25519 key");
    }
    if (!session.token().advertises(Pkcs11Constants.CKM_EDDSA)) {
      throw new Pkcs11Exception(
          session.token().where() + " does not offer CKM_EDDSA, so it cannot sign with Ed25519");
    }
    return new TokenEd25519Signer(session, pair);
  }

  /**
   * The signer for the one private key matching {@code query}; see {@link
   * TokenSession#findKeyPair}.
   */
  public static TokenEd25519Signer find(TokenSession session, ObjectQuery query) {
    return of(session, session.findKeyPair(query.ofKeyType(Pkcs11Constants.CKK_EC_EDWARDS)));
  }

  @Override
  public TufKey publicKey() {
    return pair.publicKey();
  }

  public TokenKeyPair keyPair() {
    return pair;
  }

  /**
   * The 64-byte Ed25519 signature of {@code message}.
   *
   * @throws Pkcs11Exception when the message is longer than {@link #MAX_MESSAGE_BYTES}
   */
  @Override
  public byte[] sign(byte[] message) {
    if (message.length > MAX_MESSAGE_BYTES) {
      throw new Pkcs11Exception(
          "a token signs at most "
              + MAX_MESSAGE_BYTES
              + " bytes with Ed25519 in one shot, this message has "
              + message.length
              + "; token-held Ed25519 keys sign only the short message of a composite signature"
              + " (use an ECDSA P-256 token key for whole metadata)");
    }
    byte[] signature = session.sign(pair.privateObject(), Pkcs11Constants.CKM_EDDSA, message);
    if (signature.length != 64) {
      throw new Pkcs11Exception(
          session.token().where()
              + " returned an Ed25519 signature of "
              + signature.length
              + " bytes instead of 64");
    }
    return signature;
  }

  @Override
  public String description() {
    return "Ed25519 key inside token '"
        + session.token().label()
        + "' (PKCS#11, "
        + (pair.extractable() ? "extractable" : "non-extractable")
        + ")";
  }

  @Override
  public String toString() {
    return "TokenEd25519Signer[" + description() + ", " + keyId() + "]";
  }
}
