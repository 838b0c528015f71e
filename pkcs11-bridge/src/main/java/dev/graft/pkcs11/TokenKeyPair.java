package dev.graft.pkcs11;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import java.util.HexFormat;

/**
 * A key pair on a token whose two halves have been checked to belong together (the private key
 * signed a probe that the public key verified), with the public key already read from the token.
 * Made by {@link TokenSession#generateEcdsaP256KeyPair}, {@link
 * TokenSession#generateEd25519KeyPair} and {@link TokenSession#findKeyPair}.
 */
public final class TokenKeyPair {
  private final KeyType type;
  private final TokenObject publicObject;
  private final TokenObject privateObject;
  private final String label;
  private final byte[] id;
  private final TufKey publicKey;
  private final boolean extractable;

  TokenKeyPair(
      KeyType type,
      TokenObject publicObject,
      TokenObject privateObject,
      String label,
      byte[] id,
      TufKey publicKey,
      boolean extractable) {
    this.type = type;
    this.publicObject = publicObject;
    this.privateObject = privateObject;
    this.label = label;
    this.id = id.clone();
    this.publicKey = publicKey;
    this.extractable = extractable;
  }

  /** {@link KeyType#ECDSA_P256} or {@link KeyType#ED25519}. */
  public KeyType type() {
    return type;
  }

  public TokenObject publicObject() {
    return publicObject;
  }

  public TokenObject privateObject() {
    return privateObject;
  }

  /** The private key's {@code CKA_LABEL}. */
  public String label() {
    return label;
  }

  /** The private key's {@code CKA_ID}. */
  public byte[] id() {
    return id.clone();
  }

  /** The public key as a TUF key object. */
  public TufKey publicKey() {
    return publicKey;
  }

  /**
   * False only when the token says the private key is sensitive and not extractable ({@code
   * CKA_SENSITIVE} true, {@code CKA_EXTRACTABLE} false); true if it is extractable or the token
   * does not say.
   */
  public boolean extractable() {
    return extractable;
  }

  @Override
  public String toString() {
    return "TokenKeyPair["
        + type.keyType()
        + ", label '"
        + label
        + "', id "
        + HexFormat.of().formatHex(id)
        + "]";
  }
}
