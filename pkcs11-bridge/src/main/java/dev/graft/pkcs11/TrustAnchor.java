package dev.graft.pkcs11;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.SignedMetadata;

/**
 * A trust anchor as stored on a token by {@link TrustAnchors}: a TUF public key or a root metadata
 * file, kept exactly as imported (the bytes of a public key file or of the root file).
 */
public final class TrustAnchor {
  /** What an anchor holds, told apart by its content. */
  public enum Kind {
    /** A TUF key object, as a public key file holds it. */
    PUBLIC_KEY,
    /** A signed TUF root metadata file. */
    ROOT_METADATA
  }

  private final String label;
  private final Kind kind;
  private final byte[] content;
  private final TokenObject object;

  private TrustAnchor(String label, Kind kind, byte[] content, TokenObject object) {
    this.label = label;
    this.kind = kind;
    this.content = content;
    this.object = object;
  }

  /**
   * Reads an anchor's content; {@code where} names it in messages.
   *
   * @throws Pkcs11Exception when the content is neither a TUF key object nor a root metadata file
   */
  static TrustAnchor decode(String label, byte[] content, TokenObject object, String where) {
    Kind kind;
    try {
      boolean signedFile =
          JsonParser.withDefaults().parseObject(content).members().containsKey("signed");
      if (signedFile) {
        SignedMetadata.parseRoot(content, JsonParser.withDefaults());
        kind = Kind.ROOT_METADATA;
      } else {
        PublicKeyFile.decode(content, where);
        kind = Kind.PUBLIC_KEY;
      }
    } catch (TrustException e) {
      throw new Pkcs11Exception(
          where + " holds neither a TUF public key nor root metadata: " + e.getMessage(), e);
    }
    return new TrustAnchor(label, kind, content.clone(), object);
  }

  /** The data object's {@code CKA_LABEL}. */
  public String label() {
    return label;
  }

  public Kind kind() {
    return kind;
  }

  /** The bytes as imported. */
  public byte[] content() {
    return content.clone();
  }

  /** The data object on the token. */
  public TokenObject object() {
    return object;
  }

  /**
   * The public key of a {@link Kind#PUBLIC_KEY} anchor.
   *
   * @throws Pkcs11Exception for a root metadata anchor
   */
  public TufKey publicKey() {
    if (kind != Kind.PUBLIC_KEY) {
      throw new Pkcs11Exception(
          "trust anchor '" + label + "' holds root metadata, not a single public key");
    }
    return PublicKeyFile.decode(content, "trust anchor '" + label + "'");
  }

  /**
   * The root metadata of a {@link Kind#ROOT_METADATA} anchor.
   *
   * @throws Pkcs11Exception for a public key anchor
   */
  public SignedMetadata<Root> root() {
    if (kind != Kind.ROOT_METADATA) {
      throw new Pkcs11Exception(
          "trust anchor '" + label + "' holds a public key, not root metadata");
    }
    return SignedMetadata.parseRoot(content, JsonParser.withDefaults());
  }

  @Override
  public String toString() {
    return "TrustAnchor[" + label + ", " + kind + ", " + content.length + " bytes]";
  }
}
