package dev.graft.pkcs11;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import java.security.interfaces.ECPublicKey;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Verifies signatures on the token ({@code C_Verify}) with a public key object there: ECDSA P-256
 * over a host-computed SHA-256 (signatures in DER, as TUF carries them) or Ed25519. Its {@link
 * #fingerprint()} equals that of the software verifier of the same key, so both count once toward a
 * threshold.
 */
final class TokenVerifier implements Verifier {
  private final TokenSession session;
  private final TokenObject publicObject;
  private final KeyType type;
  private final TufKey key;
  private final String fingerprint;

  private TokenVerifier(
      TokenSession session,
      TokenObject publicObject,
      KeyType type,
      TufKey key,
      String fingerprint) {
    this.session = session;
    this.publicObject = publicObject;
    this.type = type;
    this.key = key;
    this.fingerprint = fingerprint;
  }

  public static TokenVerifier of(TokenSession session, TokenKeyPair pair) {
    return of(session, pair.publicObject());
  }

  /**
   * A verifier for a public key object on the token.
   *
   * @throws Pkcs11Exception if the object is not an ECDSA P-256 or Ed25519 public key
   */
  public static TokenVerifier of(TokenSession session, TokenObject publicObject) {
    String where = session.token().where() + ": public key object " + publicObject.handle();
    long objectClass = session.longAttribute(publicObject, Pkcs11Constants.CKA_CLASS).orElse(-1);
    if (objectClass != Pkcs11Constants.CKO_PUBLIC_KEY) {
      throw new Pkcs11Exception(where + " is not a public key");
    }
    long keyType = session.longAttribute(publicObject, Pkcs11Constants.CKA_KEY_TYPE).orElse(-1);
    byte[] params = required(session, publicObject, Pkcs11Constants.CKA_EC_PARAMS, where);
    byte[] point = required(session, publicObject, Pkcs11Constants.CKA_EC_POINT, where);
    if (keyType == Pkcs11Constants.CKK_EC) {
      requireMechanism(session, Pkcs11Constants.CKM_ECDSA, "CKM_ECDSA");
      ECPublicKey key = TokenPublicKeys.ecdsaP256(params, point, where);
      return new TokenVerifier(
          session,
          publicObject,
          KeyType.ECDSA_P256,
          TokenPublicKeys.tufKey(key),
          "ecdsa:" + HexFormat.of().formatHex(key.getEncoded()));
    }
    if (keyType == Pkcs11Constants.CKK_EC_EDWARDS) {
      requireMechanism(session, Pkcs11Constants.CKM_EDDSA, "CKM_EDDSA");
      byte[] raw = TokenPublicKeys.ed25519(params, point, where);
      return new TokenVerifier(
          session,
          publicObject,
          KeyType.ED25519,
          TokenPublicKeys.tufKey(raw),
          "ed25519:" + HexFormat.of().formatHex(raw));
    }
    throw new Pkcs11Exception(
        where + " is neither an EC (P-256) nor an Edwards (Ed25519) key; Graft verifies those");
  }

  @Override
  public TufKey key() {
    return key;
  }

  @Override
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * True when the token verifies the signature; false for a wrong, malformed or wrongly sized one.
   *
   * @throws Pkcs11Exception when the token fails for another reason, or for an Ed25519 message
   *     longer than a token verifies in one shot
   */
  @Override
  public boolean verify(byte[] message, byte[] signature) {
    if (type == KeyType.ECDSA_P256) {
      Optional<byte[]> raw = TokenPublicKeys.derToRaw(signature);
      return raw.isPresent()
          && session.verify(
              publicObject, Pkcs11Constants.CKM_ECDSA, TokenSession.sha256(message), raw.get());
    }
    if (message.length > TokenEd25519Signer.MAX_MESSAGE_BYTES) {
      throw new Pkcs11Exception(
          "a token verifies at most "
              + TokenEd25519Signer.MAX_MESSAGE_BYTES
              + " bytes with Ed25519 in one shot, this message has "
              + message.length);
    }
    return signature.length == 64
        && session.verify(publicObject, Pkcs11Constants.CKM_EDDSA, message, signature);
  }

  private static byte[] required(
      TokenSession session, TokenObject object, long type, String where) {
    return session
        .attribute(object, type)
        .orElseThrow(
            () -> new Pkcs11Exception(where + " lacks attribute 0x" + Long.toHexString(type)));
  }

  private static void requireMechanism(TokenSession session, long mechanism, String name) {
    if (!session.token().advertises(mechanism)) {
      throw new Pkcs11Exception(
          session.token().where() + " does not offer " + name + ", so it cannot verify");
    }
  }

  @Override
  public String toString() {
    return "TokenVerifier[" + type.keyType() + " on " + session.token().where() + "]";
  }
}
