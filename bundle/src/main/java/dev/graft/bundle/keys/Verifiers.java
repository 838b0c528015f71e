package dev.graft.bundle.keys;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.MLDSASigner;

/**
 * Builds a {@link Verifier} for a TUF key object. Verification uses Bouncy Castle's lightweight API
 * for Ed25519 and ML-DSA (the fastest here, see the field notes) and the JDK for ECDSA and RSA-PSS.
 */
public final class Verifiers {
  private Verifiers() {}

  /**
   * A verifier for the key, or empty when its type is unknown or its public value cannot be
   * decoded. Per {@code trust.md} such a key is ignored, not fatal: it simply never verifies.
   */
  public static Optional<Verifier> forKey(TufKey key) {
    Optional<KeyType> type = key.type();
    if (type.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          switch (type.get()) {
            case ED25519 -> ed25519(key);
            case ECDSA_P256 -> ecdsa(key);
            case RSA_PSS_SHA256 -> rsaPss(key);
            case MLDSA65_ED25519 -> composite(key);
          });
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  private static Verifier ed25519(TufKey key) {
    byte[] raw = HexFormat.of().parseHex(key.publicValue());
    if (raw.length != CompositeMlDsa.ED25519_PUBLIC_KEY_BYTES) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes");
    }
    Ed25519PublicKeyParameters params = new Ed25519PublicKeyParameters(raw);
    return new KeyVerifier(key, "ed25519:" + HexFormat.of().formatHex(raw)) {
      @Override
      public boolean verify(byte[] message, byte[] signature) {
        return verifyEd25519(params, message, signature);
      }
    };
  }

  private static Verifier composite(TufKey key) {
    byte[] raw = HexFormat.of().parseHex(key.publicValue());
    if (raw.length != CompositeMlDsa.PUBLIC_KEY_BYTES) {
      throw new IllegalArgumentException(
          "composite public key must be " + CompositeMlDsa.PUBLIC_KEY_BYTES + " bytes");
    }
    MLDSAPublicKeyParameters mldsa =
        new MLDSAPublicKeyParameters(
            MLDSAParameters.ml_dsa_65,
            Arrays.copyOfRange(raw, 0, CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES));
    Ed25519PublicKeyParameters ed25519 =
        new Ed25519PublicKeyParameters(raw, CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES);
    Set<String> components =
        Set.of(
            "mldsa65:" + HexFormat.of().formatHex(mldsa.getEncoded()),
            "ed25519:" + HexFormat.of().formatHex(ed25519.getEncoded()));
    return new KeyVerifier(key, "mldsa65-ed25519:" + HexFormat.of().formatHex(raw)) {
      @Override
      public Set<String> components() {
        return components;
      }

      @Override
      public boolean verify(byte[] message, byte[] signature) {
        if (signature.length != CompositeMlDsa.SIGNATURE_BYTES) {
          return false;
        }
        byte[] representative = CompositeMlDsa.messageRepresentative(message);
        byte[] mldsaSignature =
            Arrays.copyOfRange(signature, 0, CompositeMlDsa.MLDSA_SIGNATURE_BYTES);
        byte[] ed25519Signature =
            Arrays.copyOfRange(signature, CompositeMlDsa.MLDSA_SIGNATURE_BYTES, signature.length);
        // Hybrid means both: evaluate both halves, accept only if both hold.
        boolean mldsaValid = verifyMlDsa(mldsa, representative, mldsaSignature);
        boolean ed25519Valid = verifyEd25519(ed25519, representative, ed25519Signature);
        return mldsaValid & ed25519Valid;
      }
    };
  }

  private static Verifier ecdsa(TufKey key) throws GeneralSecurityException {
    PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(spki(key.publicValue()));
    if (!(publicKey instanceof ECPublicKey ec) || !isP256(ec)) {
      throw new IllegalArgumentException("ECDSA key is not on P-256");
    }
    return new KeyVerifier(key, "ecdsa:" + HexFormat.of().formatHex(publicKey.getEncoded())) {
      @Override
      public boolean verify(byte[] message, byte[] signature) {
        try {
          Signature verifier = Signature.getInstance("SHA256withECDSA");
          verifier.initVerify(publicKey);
          verifier.update(message);
          return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
          return false;
        }
      }
    };
  }

  private static Verifier rsaPss(TufKey key) throws GeneralSecurityException {
    PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(spki(key.publicValue()));
    if (!(publicKey instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < 2048) {
      throw new IllegalArgumentException("RSA key is shorter than 2048 bits");
    }
    int emLen = (rsa.getModulus().bitLength() - 1 + 7) / 8;
    // securesystemslib has signed with the digest length and with the maximum salt length over
    // its history; both are PSS with SHA-256 and MGF1-SHA-256, so accept either.
    int[] saltLengths = {32, emLen - 32 - 2};
    return new KeyVerifier(key, "rsa:" + HexFormat.of().formatHex(publicKey.getEncoded())) {
      @Override
      public boolean verify(byte[] message, byte[] signature) {
        for (int saltLength : saltLengths) {
          try {
            Signature verifier = Signature.getInstance("RSASSA-PSS");
            verifier.setParameter(
                new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, saltLength, 1));
            verifier.initVerify(publicKey);
            verifier.update(message);
            if (verifier.verify(signature)) {
              return true;
            }
          } catch (GeneralSecurityException e) {
            // try the next salt length
          }
        }
        return false;
      }
    };
  }

  static boolean verifyEd25519(Ed25519PublicKeyParameters key, byte[] message, byte[] signature) {
    if (signature.length != CompositeMlDsa.ED25519_SIGNATURE_BYTES) {
      return false;
    }
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(false, key);
    signer.update(message, 0, message.length);
    return signer.verifySignature(signature);
  }

  static boolean verifyMlDsa(MLDSAPublicKeyParameters key, byte[] message, byte[] signature) {
    MLDSASigner signer = new MLDSASigner();
    signer.init(false, new ParametersWithContext(key, CompositeMlDsa.label()));
    signer.update(message, 0, message.length);
    return signer.verifySignature(signature);
  }

  private static X509EncodedKeySpec spki(String pem) {
    String body =
        pem.replaceAll("-----BEGIN PUBLIC KEY-----", "")
            .replaceAll("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    return new X509EncodedKeySpec(java.util.Base64.getDecoder().decode(body));
  }

  private static boolean isP256(ECPublicKey key) throws GeneralSecurityException {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec p256 = params.getParameterSpec(ECParameterSpec.class);
    return key.getParams().getCurve().equals(p256.getCurve())
        && key.getParams().getGenerator().equals(p256.getGenerator())
        && key.getParams().getOrder().equals(p256.getOrder());
  }

  private abstract static class KeyVerifier implements Verifier {
    private final TufKey key;
    private final String fingerprint;

    KeyVerifier(TufKey key, String fingerprint) {
      this.key = key;
      this.fingerprint = fingerprint;
    }

    @Override
    public TufKey key() {
      return key;
    }

    @Override
    public String fingerprint() {
      return fingerprint;
    }
  }
}
