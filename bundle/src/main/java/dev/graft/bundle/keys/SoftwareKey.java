package dev.graft.bundle.keys;

import dev.graft.bundle.KeyFileException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.MLDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * A private key held in this process's memory: generated here or read from a key file, and
 * protected only by whoever can read that memory or file. Every signing type except RSA (which
 * Graft only verifies) is supported; signatures are in the encodings {@code trust.md} prescribes,
 * so {@link Verifiers} accepts them.
 *
 * <p>Ed25519 is deterministic. ECDSA and the ML-DSA half of a composite signature are randomized
 * ("hedged"), so signing the same message twice gives different, equally valid signatures.
 */
public final class SoftwareKey implements Signer {
  /** id-Ed25519 of RFC 8410 (Bouncy Castle keeps its constant in an internal package). */
  private static final ASN1ObjectIdentifier ED25519_OID = new ASN1ObjectIdentifier("1.3.101.112");

  private static final ASN1ObjectIdentifier COMPOSITE_OID =
      new ASN1ObjectIdentifier(CompositeMlDsa.OID);
  private static final int SEED_BYTES = 32;

  private final Material material;
  private final String source;
  private final SecureRandom random;

  private SoftwareKey(Material material, String source, SecureRandom random) {
    this.material = material;
    this.source = source;
    this.random = random;
  }

  /** A fresh key of the given type from a strong random source. */
  public static SoftwareKey generate(KeyType type) {
    return generate(type, new SecureRandom());
  }

  /**
   * A fresh key of the given type.
   *
   * @throws IllegalArgumentException for RSA, which Graft verifies for interoperability but never
   *     uses to sign
   */
  public static SoftwareKey generate(KeyType type, SecureRandom random) {
    Material material =
        switch (type) {
          case ED25519 -> new Ed25519Material(new Ed25519PrivateKeyParameters(random));
          case ECDSA_P256 -> EcdsaMaterial.generate(random);
          case MLDSA65_ED25519 -> CompositeMaterial.generate(random);
          case RSA_PSS_SHA256 ->
              throw new IllegalArgumentException(
                  "Graft verifies RSA-PSS signatures for interoperability but never makes them;"
                      + " choose ed25519, ecdsa or mldsa65-ed25519");
        };
    return new SoftwareKey(material, "generated in memory", random);
  }

  /**
   * The key a PKCS#8 structure holds. {@code source} says where it came from, for {@link
   * #description()}.
   *
   * @throws KeyFileException when the structure holds a key Graft cannot sign with or is
   *     inconsistent; the message names the problem without the file name, which the caller adds
   */
  static SoftwareKey fromPrivateKeyInfo(PrivateKeyInfo info, String source) {
    ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
    Material material;
    try {
      if (algorithm.equals(ED25519_OID)) {
        material = Ed25519Material.from(info);
      } else if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
        material = EcdsaMaterial.from(info);
      } else if (algorithm.equals(COMPOSITE_OID)) {
        material = CompositeMaterial.from(info);
      } else {
        throw new KeyFileException(
            "holds a private key of algorithm "
                + algorithm.getId()
                + ", which Graft does not sign with (it signs with Ed25519, ECDSA P-256 and"
                + " MLDSA65-Ed25519-SHA512)");
      }
    } catch (KeyFileException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Bouncy Castle reports malformed structures with assorted unchecked exceptions.
      throw new KeyFileException("holds a malformed " + algorithmName(algorithm) + " key", e);
    }
    return new SoftwareKey(material, source, new SecureRandom());
  }

  /** The PKCS#8 structure of this key, for writing it to an encrypted key file. */
  PrivateKeyInfo privateKeyInfo() {
    try {
      return material.privateKeyInfo();
    } catch (IOException e) {
      throw new IllegalStateException("could not encode a private key Graft holds", e);
    }
  }

  public KeyType type() {
    return material.type();
  }

  @Override
  public TufKey publicKey() {
    return material.publicKey();
  }

  @Override
  public byte[] sign(byte[] message) {
    try {
      return material.sign(message, random);
    } catch (GeneralSecurityException | CryptoException e) {
      throw new IllegalStateException("signing with " + description() + " failed", e);
    }
  }

  @Override
  public String description() {
    return "software key " + source;
  }

  @Override
  public String toString() {
    return "SoftwareKey[" + type().keyType() + ", " + description() + ", " + keyId() + "]";
  }

  private static String algorithmName(ASN1ObjectIdentifier algorithm) {
    if (algorithm.equals(ED25519_OID)) {
      return "Ed25519";
    }
    if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      return "ECDSA";
    }
    return "MLDSA65-Ed25519";
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] out = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, out, first.length, second.length);
    return out;
  }

  private static byte[] signEd25519(Ed25519PrivateKeyParameters key, byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /** Compares public keys stored beside private ones with the ones derived from them. */
  private static void checkStoredPublicKey(PrivateKeyInfo info, byte[] derived) {
    ASN1BitString stored = info.getPublicKeyData();
    if (stored != null && !Arrays.equals(stored.getOctets(), derived)) {
      throw new KeyFileException(
          "is inconsistent: the public key stored in it does not belong to its private key");
    }
  }

  /**
   * The private half of one key type. Not records: secret-holding objects must not get generated
   * {@code equals} and {@code toString}.
   */
  private sealed interface Material permits Ed25519Material, EcdsaMaterial, CompositeMaterial {
    KeyType type();

    TufKey publicKey();

    byte[] sign(byte[] message, SecureRandom random)
        throws GeneralSecurityException, CryptoException;

    PrivateKeyInfo privateKeyInfo() throws IOException;
  }

  private static final class Ed25519Material implements Material {
    private final Ed25519PrivateKeyParameters key;
    private final TufKey publicKey;

    Ed25519Material(Ed25519PrivateKeyParameters key) {
      this.key = key;
      this.publicKey =
          TufKey.of(
              KeyType.ED25519, HexFormat.of().formatHex(key.generatePublicKey().getEncoded()));
    }

    /** RFC 8410: the private key field wraps a CurvePrivateKey OCTET STRING of the 32-byte seed. */
    static Ed25519Material from(PrivateKeyInfo info) throws IOException {
      byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
      try {
        if (seed.length != SEED_BYTES) {
          throw new IllegalArgumentException("an Ed25519 private key is 32 bytes");
        }
        Ed25519Material material = new Ed25519Material(new Ed25519PrivateKeyParameters(seed));
        checkStoredPublicKey(info, material.key.generatePublicKey().getEncoded());
        return material;
      } finally {
        Arrays.fill(seed, (byte) 0);
      }
    }

    @Override
    public KeyType type() {
      return KeyType.ED25519;
    }

    @Override
    public TufKey publicKey() {
      return publicKey;
    }

    @Override
    public byte[] sign(byte[] message, SecureRandom random) {
      return signEd25519(key, message);
    }

    @Override
    public PrivateKeyInfo privateKeyInfo() throws IOException {
      return new PrivateKeyInfo(
          new AlgorithmIdentifier(ED25519_OID), new DEROctetString(key.getEncoded()));
    }
  }

  /**
   * ECDSA on P-256 through the JDK provider, the same one that verifies. Bouncy Castle is used only
   * to derive the public point when a key is read, since the JDK has no API for that.
   */
  private static final class EcdsaMaterial implements Material {
    private static final X9ECParameters P256 =
        ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1);

    private final PrivateKey privateKey;
    private final byte[] publicPoint;
    private final TufKey publicKey;

    private EcdsaMaterial(PrivateKey privateKey, PublicKey jdkPublicKey) {
      this.privateKey = privateKey;
      byte[] spki = jdkPublicKey.getEncoded();
      this.publicPoint = SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getOctets();
      this.publicKey = TufKey.of(KeyType.ECDSA_P256, Pem.encode("PUBLIC KEY", spki));
    }

    static EcdsaMaterial generate(SecureRandom random) {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair pair = generator.generateKeyPair();
        return new EcdsaMaterial(pair.getPrivate(), pair.getPublic());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK provides EC key generation on P-256", e);
      }
    }

    static EcdsaMaterial from(PrivateKeyInfo info) throws IOException {
      ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
      if (!SECObjectIdentifiers.secp256r1.equals(curve)) {
        throw new KeyFileException(
            "holds an ECDSA key that is not on the named curve P-256, the only one Graft uses");
      }
      org.bouncycastle.asn1.sec.ECPrivateKey structure =
          org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
      BigInteger d = structure.getKey();
      if (d.signum() <= 0 || d.compareTo(P256.getN()) >= 0) {
        throw new IllegalArgumentException("the ECDSA private scalar is out of range");
      }
      ECPoint q = new FixedPointCombMultiplier().multiply(P256.getG(), d).normalize();
      byte[] point = q.getEncoded(false);
      ASN1BitString stored = structure.getPublicKey();
      if (stored != null && !Arrays.equals(stored.getOctets(), point)) {
        throw new KeyFileException(
            "is inconsistent: the public key stored in it does not belong to its private key");
      }
      try {
        KeyFactory factory = KeyFactory.getInstance("EC");
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        PrivateKey privateKey = factory.generatePrivate(new ECPrivateKeySpec(d, spec));
        byte[] spki =
            new SubjectPublicKeyInfo(
                    new AlgorithmIdentifier(
                        X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1),
                    point)
                .getEncoded(ASN1Encoding.DER);
        return new EcdsaMaterial(privateKey, factory.generatePublic(new X509EncodedKeySpec(spki)));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("the ECDSA key is not a valid P-256 key", e);
      }
    }

    @Override
    public KeyType type() {
      return KeyType.ECDSA_P256;
    }

    @Override
    public TufKey publicKey() {
      return publicKey;
    }

    @Override
    public byte[] sign(byte[] message, SecureRandom random) throws GeneralSecurityException {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(privateKey, random);
      signer.update(message);
      return signer.sign();
    }

    /** RFC 5915 ECPrivateKey with the public point, the curve named in the algorithm identifier. */
    @Override
    public PrivateKeyInfo privateKeyInfo() throws IOException {
      BigInteger d = ((ECPrivateKey) privateKey).getS();
      return new PrivateKeyInfo(
          new AlgorithmIdentifier(
              X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1),
          new org.bouncycastle.asn1.sec.ECPrivateKey(256, d, new DERBitString(publicPoint), null));
    }
  }

  /**
   * The composite key: ML-DSA-65 kept as its 32-byte seed (FIPS 204 key generation input) and
   * Ed25519 as its 32-byte seed. Its PKCS#8 form is the draft's: the composite OID and the two
   * seeds concatenated in one OCTET STRING, which Bouncy Castle's KeyFactory reads and writes too.
   */
  private static final class CompositeMaterial implements Material {
    private final MLDSAPrivateKeyParameters mldsa;
    private final Ed25519PrivateKeyParameters ed25519;
    private final TufKey publicKey;

    private CompositeMaterial(
        MLDSAPrivateKeyParameters mldsa, Ed25519PrivateKeyParameters ed25519) {
      this.mldsa = mldsa;
      this.ed25519 = ed25519;
      byte[] raw =
          concat(
              mldsa.getPublicKeyParameters().getEncoded(),
              ed25519.generatePublicKey().getEncoded());
      this.publicKey = TufKey.of(KeyType.MLDSA65_ED25519, HexFormat.of().formatHex(raw));
    }

    static CompositeMaterial generate(SecureRandom random) {
      // The parameters object keeps this very array (it does not copy), so it is not cleared here.
      byte[] seed = new byte[SEED_BYTES];
      random.nextBytes(seed);
      return new CompositeMaterial(
          new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed),
          new Ed25519PrivateKeyParameters(random));
    }

    static CompositeMaterial from(PrivateKeyInfo info) {
      byte[] both = info.getPrivateKey().getOctets();
      try {
        if (both.length != 2 * SEED_BYTES) {
          throw new IllegalArgumentException(
              "a composite private key is a 32-byte ML-DSA seed and a 32-byte Ed25519 key");
        }
        // Kept by the parameters object, which does not copy it.
        byte[] seed = Arrays.copyOf(both, SEED_BYTES);
        CompositeMaterial material =
            new CompositeMaterial(
                new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed),
                new Ed25519PrivateKeyParameters(both, SEED_BYTES));
        checkStoredPublicKey(info, HexFormat.of().parseHex(material.publicKey.publicValue()));
        return material;
      } finally {
        Arrays.fill(both, (byte) 0);
      }
    }

    @Override
    public KeyType type() {
      return KeyType.MLDSA65_ED25519;
    }

    @Override
    public TufKey publicKey() {
      return publicKey;
    }

    @Override
    public byte[] sign(byte[] message, SecureRandom random) throws CryptoException {
      byte[] representative = CompositeMlDsa.messageRepresentative(message);
      MLDSASigner signer = new MLDSASigner();
      // Without a random source Bouncy Castle signs deterministically; the hedged variant keeps
      // fault and side-channel attacks on a fixed nonce off the table.
      signer.init(
          true,
          new ParametersWithContext(
              new ParametersWithRandom(mldsa, random), CompositeMlDsa.label()));
      signer.update(representative, 0, representative.length);
      return concat(signer.generateSignature(), signEd25519(ed25519, representative));
    }

    /**
     * The seeds go straight into the privateKey OCTET STRING, without the inner OCTET STRING that
     * {@link PrivateKeyInfo}'s constructor would add, so the structure is built by hand.
     */
    @Override
    public PrivateKeyInfo privateKeyInfo() {
      // getSeed() returns the key's own array: copy it, never clear it.
      byte[] edSeed = ed25519.getEncoded();
      byte[] both = concat(mldsa.getSeed(), edSeed);
      Arrays.fill(edSeed, (byte) 0);
      return PrivateKeyInfo.getInstance(
          new DERSequence(
              new ASN1Encodable[] {
                new ASN1Integer(0), new AlgorithmIdentifier(COMPOSITE_OID), new DEROctetString(both)
              }));
    }
  }
}
