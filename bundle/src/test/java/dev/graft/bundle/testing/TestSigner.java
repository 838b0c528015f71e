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

  public static TestSigner composite(SecureRandom random) {
    return new TestSigner(KeyType.MLDSA65_ED25519, random);
  }

  public static TestSigner ed25519(SecureRandom random) {
    return new TestSigner(KeyType.ED25519, random);
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
