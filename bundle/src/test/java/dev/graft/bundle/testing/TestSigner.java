package dev.graft.bundle.testing;

import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.MLDSASigner;

/** Deterministic-seed software keys for client tests (fast, no key files). */
public final class TestSigner implements Signer {
  private final TufKey publicKey;
  private final Ed25519PrivateKeyParameters ed25519;
  private final MLDSAPrivateKeyParameters mldsa;

  private TestSigner(KeyType type, SecureRandom random) {
    this.ed25519 = new Ed25519PrivateKeyParameters(random);
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    this.mldsa =
        type == KeyType.MLDSA65_ED25519
            ? new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed)
            : null;
    byte[] edPublic = ed25519.generatePublicKey().getEncoded();
    String publicValue;
    if (type == KeyType.MLDSA65_ED25519) {
      byte[] mlPublic = mldsa.getPublicKeyParameters().getEncoded();
      byte[] both = new byte[mlPublic.length + edPublic.length];
      System.arraycopy(mlPublic, 0, both, 0, mlPublic.length);
      System.arraycopy(edPublic, 0, both, mlPublic.length, edPublic.length);
      publicValue = HexFormat.of().formatHex(both);
    } else {
      publicValue = HexFormat.of().formatHex(edPublic);
    }
    this.publicKey = TufKey.of(type, publicValue);
  }

  private TestSigner(MLDSAPrivateKeyParameters mldsa, Ed25519PrivateKeyParameters ed25519) {
    this.mldsa = mldsa;
    this.ed25519 = ed25519;
    byte[] mlPublic = mldsa.getPublicKeyParameters().getEncoded();
    byte[] edPublic = ed25519.generatePublicKey().getEncoded();
    byte[] both = new byte[mlPublic.length + edPublic.length];
    System.arraycopy(mlPublic, 0, both, 0, mlPublic.length);
    System.arraycopy(edPublic, 0, both, mlPublic.length, edPublic.length);
    this.publicKey = TufKey.of(KeyType.MLDSA65_ED25519, HexFormat.of().formatHex(both));
  }

  /** A new composite key with the ML-DSA-65 half of {@code other} and a fresh Ed25519 half. */
  public static TestSigner sharingMlDsa(TestSigner other, SecureRandom random) {
    if (other.mldsa == null) {
      throw new IllegalArgumentException("not a composite key");
    }
    return new TestSigner(other.mldsa, new Ed25519PrivateKeyParameters(random));
  }

  /** A new composite key with the Ed25519 half of {@code other} and a fresh ML-DSA-65 half. */
  public static TestSigner sharingEd25519(TestSigner other, SecureRandom random) {
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    return new TestSigner(
        new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed), other.ed25519);
  }

  public static TestSigner composite(SecureRandom random) {
    return new TestSigner(KeyType.MLDSA65_ED25519, random);
  }

  public static TestSigner ed25519(SecureRandom random) {
    return new TestSigner(KeyType.ED25519, random);
  }

  /**
   * The same key whose signatures have one byte flipped: for a composite key, an index below {@link
   * CompositeMlDsa#MLDSA_SIGNATURE_BYTES} breaks only the ML-DSA half, one at or above it only the
   * Ed25519 half.
   */
  public static Signer corrupting(Signer signer, int byteIndex) {
    return new Signer() {
      @Override
      public TufKey publicKey() {
        return signer.publicKey();
      }

      @Override
      public byte[] sign(byte[] message) {
        byte[] signature = signer.sign(message);
        signature[byteIndex] ^= 0x01;
        return signature;
      }

      @Override
      public String description() {
        return "test key with a corrupted signature byte " + byteIndex;
      }
    };
  }

  /**
   * The same key material under another key id: its key object carries an extra member, which
   * changes the id TUF computes but not the key.
   */
  public static Signer aliased(Signer signer, String alias) {
    TufKey original = signer.publicKey();
    TufKey aliasedKey =
        new TufKey(
            original.keyType(),
            original.scheme(),
            original.publicValue(),
            original.json().toBuilder().put("x-graft-alias", alias).build());
    return new Signer() {
      @Override
      public TufKey publicKey() {
        return aliasedKey;
      }

      @Override
      public byte[] sign(byte[] message) {
        return signer.sign(message);
      }

      @Override
      public String description() {
        return "test key aliased as " + alias;
      }
    };
  }

  /** A key of a type no client knows yet; its "signatures" are random bytes. */
  public static Signer unknownType(SecureRandom random) {
    byte[] value = new byte[32];
    random.nextBytes(value);
    TufKey key =
        TufKey.fromJson(
            dev.graft.bundle.json.JsonObject.builder()
                .put("keytype", "future-type")
                .put("scheme", "future-scheme")
                .put(
                    "keyval",
                    dev.graft.bundle.json.JsonObject.builder()
                        .put("public", HexFormat.of().formatHex(value))
                        .build())
                .build());
    return new Signer() {
      @Override
      public TufKey publicKey() {
        return key;
      }

      @Override
      public byte[] sign(byte[] message) {
        byte[] signature = new byte[64];
        random.nextBytes(signature);
        return signature;
      }

      @Override
      public String description() {
        return "test key of an unknown type";
      }
    };
  }

  @Override
  public TufKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] message) {
    if (mldsa == null) {
      return ed25519Sign(message);
    }
    byte[] representative = CompositeMlDsa.messageRepresentative(message);
    MLDSASigner signer = new MLDSASigner();
    signer.init(true, new ParametersWithContext(mldsa, CompositeMlDsa.label()));
    signer.update(representative, 0, representative.length);
    byte[] mlSig;
    try {
      mlSig = signer.generateSignature();
    } catch (org.bouncycastle.crypto.CryptoException e) {
      throw new IllegalStateException(e);
    }
    byte[] edSig = ed25519Sign(representative);
    byte[] both = new byte[mlSig.length + edSig.length];
    System.arraycopy(mlSig, 0, both, 0, mlSig.length);
    System.arraycopy(edSig, 0, both, mlSig.length, edSig.length);
    return both;
  }

  private byte[] ed25519Sign(byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, ed25519);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  @Override
  public String description() {
    return "test key";
  }
}
