package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_EXTRACTABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_SENSITIVE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_AES;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_EC_EDWARDS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_AES_GCM;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_EDDSA;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_SECRET_KEY;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.jspecify.annotations.Nullable;

/**
 * A composite {@code mldsa65-ed25519} key kept on a token that has no ML-DSA (SoftHSM2 2.6, most
 * HSMs today), in what Graft calls the <em>wrapped mode</em>:
 *
 * <ul>
 *   <li>the Ed25519 half is a key pair generated inside the token, private key sensitive and not
 *       extractable, signing with {@code CKM_EDDSA};
 *   <li>the ML-DSA-65 half is generated in software as its 32-byte seed, encrypted with {@code
 *       CKM_AES_GCM} under an AES-256 key generated inside the token (sensitive, not extractable,
 *       encrypt and decrypt only), and stored on the token as a private data object ({@code
 *       CKA_APPLICATION} {@value WrappedMlDsaSeed#APPLICATION}; see {@link WrappedMlDsaSeed}).
 * </ul>
 *
 * The Ed25519 key pair and the AES key share the key's label and {@code CKA_ID}; the data object
 * shares the label and carries the id inside its value, because PKCS#11 gives data objects no
 * {@code CKA_ID}. To sign, the seed is decrypted on the token into this process's memory for that
 * one signature and cleared afterwards ({@link TokenCompositeSigner}). So the ML-DSA half is a
 * software key protected by the token and its PIN — whoever holds both can decrypt the seed — and
 * not an HSM-resident key; every description of such a key says so.
 *
 * <p>Instances hold handles and public data only, never the seed.
 */
public final class TokenCompositeKey {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int ID_BYTES = 16;

  private final TokenKeyPair ed25519;
  private final TokenObject wrappingKey;
  private final TokenObject dataObject;
  private final WrappedMlDsaSeed wrapped;
  private final boolean wrappingKeyExtractable;
  private final TufKey publicKey;

  private TokenCompositeKey(
      TokenKeyPair ed25519,
      TokenObject wrappingKey,
      TokenObject dataObject,
      WrappedMlDsaSeed wrapped,
      boolean wrappingKeyExtractable) {
    this.ed25519 = ed25519;
    this.wrappingKey = wrappingKey;
    this.dataObject = dataObject;
    this.wrapped = wrapped;
    this.wrappingKeyExtractable = wrappingKeyExtractable;
    this.publicKey =
        TufKey.of(KeyType.MLDSA65_ED25519, HexFormat.of().formatHex(wrapped.compositePublicKey()));
  }

  /** A new composite key with a random 16-byte id; see the overload. */
  public static TokenCompositeKey generate(TokenSession session, String label) {
    byte[] id = new byte[ID_BYTES];
    RANDOM.nextBytes(id);
    return generate(session, label, id);
  }

  /**
   * A new composite key on the token: the Ed25519 key pair and the AES wrapping key generated
   * inside the token, the ML-DSA-65 seed generated here and stored encrypted. If any step fails,
   * every object created so far is destroyed again, so no half-made key is left behind.
   *
   * @throws Pkcs11Exception when an object with this label or id already exists, the token lacks
   *     Ed25519 or AES-GCM, or the token fails
   */
  public static TokenCompositeKey generate(TokenSession session, String label, byte[] id) {
    return generate(session, label, id, step -> {});
  }

  /**
   * Generates the key, calling {@code afterStep} after each object is made ("ed25519", "wrapping
   * key", "wrapped seed"); if it throws, cleanup runs as for a token failure. Tests use it to prove
   * the cleanup.
   */
  static TokenCompositeKey generate(
      TokenSession session, String label, byte[] id, Consumer<String> afterStep) {
    WrappedMlDsaSeed.requireId(id);
    requireMechanism(session, CKM_EDDSA, "Ed25519 signatures");
    requireMechanism(session, CKM_AES_GCM, "AES-GCM");
    List<TokenObject> created = new ArrayList<>();
    byte[] seed = new byte[WrappedMlDsaSeed.SEED_BYTES];
    try {
      // Refuses a label or id already in use before anything is created.
      TokenKeyPair pair = session.generateEd25519KeyPair(label, id);
      created.add(pair.privateObject());
      created.add(pair.publicObject());
      afterStep.accept("ed25519");
      RANDOM.nextBytes(seed);
      return wrapSeed(session, pair, seed, created, afterStep);
    } catch (RuntimeException e) {
      destroyAll(session, created, e);
      throw e;
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /**
   * Joins an ML-DSA-65 seed from a backup ({@link #exportMlDsaSeed}) to the Ed25519 key pair it
   * belongs to — typically after the token vendor's own backup brought the Ed25519 half back onto a
   * new token — so the pair is a composite key again: a new AES wrapping key is generated inside
   * the token and the seed stored wrapped under it, exactly as {@link #generate} does. The seed is
   * the caller's to clear.
   *
   * @throws Pkcs11Exception when {@code pair} is not Ed25519, already has an ML-DSA half, or the
   *     seed and the pair together are not {@code expected} (the backup is of another key); nothing
   *     is created then, and if a later step fails what was created is destroyed again
   */
  public static TokenCompositeKey restoreMlDsaHalf(
      TokenSession session, TokenKeyPair pair, byte[] seed, TufKey expected) {
    String where = session.token().where();
    if (pair.type() != KeyType.ED25519) {
      throw new Pkcs11Exception(
          where
              + ": key '"
              + pair.label()
              + "' is "
              + pair.type().keyType()
              + "; the ML-DSA half of a composite key joins an Ed25519 key pair");
    }
    if (of(session, pair).isPresent()) {
      throw new Pkcs11Exception(
          where
              + ": key '"
              + pair.label()
              + "' already has an ML-DSA half; it is a composite key, nothing to restore");
    }
    if (seed.length != WrappedMlDsaSeed.SEED_BYTES) {
      throw new Pkcs11Exception("an ML-DSA-65 seed is 32 bytes, not " + seed.length);
    }
    MLDSAPrivateKeyParameters mldsa =
        new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed.clone());
    String composite;
    try {
      composite =
          HexFormat.of().formatHex(mldsa.getPublicKeyParameters().getEncoded())
              + pair.publicKey().publicValue();
    } finally {
      mldsa.destroy();
    }
    if (!expected.type().map(KeyType::isComposite).orElse(false)
        || !composite.equals(expected.publicValue())) {
      throw new Pkcs11Exception(
          where
              + ": the ML-DSA half and Ed25519 key '"
              + pair.label()
              + "' do not make composite key "
              + expected.keyId()
              + " (they make "
              + TufKey.of(KeyType.MLDSA65_ED25519, composite).keyId()
              + "); the backup belongs to another key, or this is another Ed25519 key");
    }
    List<TokenObject> created = new ArrayList<>();
    try {
      return wrapSeed(session, pair, seed, created, step -> {});
    } catch (RuntimeException e) {
      destroyAll(session, created, e);
      throw e;
    }
  }

  /**
   * The ML-DSA-65 seed of this key, decrypted by the token, for a backup under a recovery
   * passphrase (trust.md: "the ML-DSA half exported encrypted to a recovery passphrase"); the
   * caller clears it. This is possible because the ML-DSA half is a software key protected by the
   * token and its PIN; the Ed25519 half cannot be exported.
   *
   * @throws Pkcs11Exception when the wrapped half does not decrypt or is not this key's
   */
  public byte[] exportMlDsaSeed(TokenSession session) {
    byte[] seed = unwrapSeed(session);
    MLDSAPrivateKeyParameters mldsa =
        new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed.clone());
    try {
      if (!MessageDigest.isEqual(
          mldsa.getPublicKeyParameters().getEncoded(), wrapped.mldsaPublicKey())) {
        Arrays.fill(seed, (byte) 0);
        throw new Pkcs11Exception(
            session.token().where()
                + ": the wrapped ML-DSA half of "
                + name()
                + " yields another ML-DSA public key than the one stored with it");
      }
      return seed;
    } finally {
      mldsa.destroy();
    }
  }

  /**
   * Generates the AES wrapping key beside {@code pair}, stores {@code seed} wrapped under it, and
   * checks that the token gives the seed back; adds every object made to {@code created}.
   */
  private static TokenCompositeKey wrapSeed(
      TokenSession session,
      TokenKeyPair pair,
      byte[] seed,
      List<TokenObject> created,
      Consumer<String> afterStep) {
    String label = pair.label();
    byte[] id = pair.id();
    WrappedMlDsaSeed.requireId(id);
    requireMechanism(session, CKM_AES_GCM, "AES-GCM");
    @Nullable MLDSAPrivateKeyParameters mldsa = null;
    try {
      TokenObject aes = session.generateAes256KeyBeside(label, id);
      created.add(aes);
      afterStep.accept("wrapping key");
      mldsa = new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed.clone());
      byte[] mldsaPublic = mldsa.getPublicKeyParameters().getEncoded();
      byte[] edPublic = HexFormat.of().parseHex(pair.publicKey().publicValue());
      AesGcmCiphertext sealed =
          session.encryptAesGcm(aes, seed, WrappedMlDsaSeed.aad(id, mldsaPublic, edPublic));
      WrappedMlDsaSeed wrapped = WrappedMlDsaSeed.of(id, sealed, mldsaPublic, edPublic);
      // Not modifiable where the token allows it; where it does not, the GCM tag and the public
      // key checks still catch any change to the value.
      TokenObject data;
      try {
        data =
            TokenDataObjects.create(
                session, label, WrappedMlDsaSeed.APPLICATION, wrapped.encoded(), true);
      } catch (CkrException e) {
        if (!refusesUnmodifiable(e)) {
          throw e;
        }
        data =
            TokenDataObjects.create(
                session, label, WrappedMlDsaSeed.APPLICATION, wrapped.encoded(), false);
      }
      created.add(data);
      afterStep.accept("wrapped seed");
      TokenCompositeKey key = new TokenCompositeKey(pair, aes, data, wrapped, false);
      // Decrypt once, so a key whose seed the token cannot give back is never handed out.
      byte[] back = key.unwrapSeed(session);
      boolean same = MessageDigest.isEqual(back, seed);
      Arrays.fill(back, (byte) 0);
      if (!same) {
        throw new Pkcs11Exception(
            session.token().where()
                + " returned a different ML-DSA seed than it encrypted for composite key '"
                + label
                + "'");
      }
      return key;
    } finally {
      if (mldsa != null) {
        mldsa.destroy();
      }
    }
  }

  private static void destroyAll(
      TokenSession session, List<TokenObject> created, RuntimeException failure) {
    for (TokenObject object : created.reversed()) {
      try {
        session.destroy(object);
      } catch (RuntimeException cleanup) {
        failure.addSuppressed(cleanup);
      }
    }
  }

  /**
   * The composite key whose Ed25519 private key matches {@code query} (object class and key type
   * are added to it).
   *
   * @throws ObjectNotFoundException when there is no such Ed25519 key, or it has no wrapped ML-DSA
   *     half (it is a plain Ed25519 key)
   * @throws Pkcs11Exception when the parts of the key do not belong together
   */
  public static TokenCompositeKey find(TokenSession session, ObjectQuery query) {
    TokenKeyPair pair = session.findKeyPair(query.ofKeyType(CKK_EC_EDWARDS));
    return of(session, pair)
        .orElseThrow(() ->
            new ObjectNotFoundException(
                session.token().where()
                    + ": Ed25519 key '"
                    + pair.label()
                    + "' (id "
                    + HexFormat.of().formatHex(pair.id())
                    + ") has no wrapped ML-DSA half (a data object with application "
                    + WrappedMlDsaSeed.APPLICATION
                    + " and its id), so it is not a composite key"));
  }

  /**
   * The composite key whose Ed25519 half is {@code pair}, or empty when no wrapped ML-DSA half
   * carries the pair's id (a plain Ed25519 key).
   *
   * @throws Pkcs11Exception when several wrapped halves claim the id, the stored Ed25519 public key
   *     is not the token's, or the wrapping key is missing
   */
  static Optional<TokenCompositeKey> of(TokenSession session, TokenKeyPair pair) {
    String where = session.token().where();
    String name =
        "composite key '" + pair.label() + "' (id " + HexFormat.of().formatHex(pair.id()) + ")";
    if (pair.type() != KeyType.ED25519) {
      return Optional.empty();
    }
    byte[] id = pair.id();
    TokenDataObjects.@Nullable Found found = null;
    @Nullable WrappedMlDsaSeed wrapped = null;
    List<String> damaged = new ArrayList<>();
    for (TokenDataObjects.Found candidate :
        TokenDataObjects.find(session, WrappedMlDsaSeed.APPLICATION)) {
      WrappedMlDsaSeed decoded;
      try {
        decoded =
            WrappedMlDsaSeed.decode(candidate.value(), "data object '" + candidate.label() + "'");
      } catch (Pkcs11Exception e) {
        // Another key's damaged object must not make this key unusable; it matters only if
        // this key's own object is missing.
        damaged.add(e.getMessage());
        continue;
      }
      if (Arrays.equals(decoded.id(), id)) {
        if (found != null) {
          throw new Pkcs11Exception(
              where
                  + ": data objects '"
                  + found.label()
                  + "' and '"
                  + candidate.label()
                  + "' both claim to be the ML-DSA half of "
                  + name
                  + "; delete the one that does not belong");
        }
        found = candidate;
        wrapped = decoded;
      }
    }
    if (found == null || wrapped == null) {
      if (!damaged.isEmpty()) {
        throw new Pkcs11Exception(
            where
                + ": no wrapped ML-DSA half carries the id of "
                + name
                + ", and "
                + damaged.size()
                + " data object(s) of application "
                + WrappedMlDsaSeed.APPLICATION
                + " cannot be read, so its half may be among them: "
                + String.join("; ", damaged));
      }
      return Optional.empty();
    }
    byte[] tokenPublic = HexFormat.of().parseHex(pair.publicKey().publicValue());
    if (!Arrays.equals(wrapped.ed25519PublicKey(), tokenPublic)) {
      throw new Pkcs11Exception(
          where
              + ": the wrapped ML-DSA half of "
              + name
              + " was made for another Ed25519 key (its stored Ed25519 public key is not the"
              + " token's); refusing to use the pair");
    }
    List<TokenObject> keys =
        session.find(ObjectQuery.all().ofClass(CKO_SECRET_KEY).ofKeyType(CKK_AES).withId(id));
    if (keys.size() != 1) {
      throw new Pkcs11Exception(
          where
              + ": "
              + name
              + (keys.isEmpty()
                  ? " has no AES wrapping key with its id, so its ML-DSA half cannot be decrypted"
                  : " has " + keys.size() + " AES keys with its id; expected one wrapping key"));
    }
    TokenObject aes = keys.getFirst();
    boolean extractable =
        !session.booleanAttribute(aes, CKA_SENSITIVE).orElse(false)
            || session.booleanAttribute(aes, CKA_EXTRACTABLE).orElse(true);
    return Optional.of(new TokenCompositeKey(pair, aes, found.object(), wrapped, extractable));
  }

  /**
   * Decrypts the ML-DSA seed on the token, for the caller to clear after use.
   *
   * @throws Pkcs11Exception when the tag does not verify: the data object was altered, or was made
   *     for another key
   */
  byte[] unwrapSeed(TokenSession session) {
    byte[] seed;
    try {
      seed = session.decryptAesGcm(wrappingKey, wrapped.sealed(), wrapped.aad());
    } catch (CkrException e) {
      throw new Pkcs11Exception(
          session.token().where()
              + ": the wrapped ML-DSA half of "
              + name()
              + " does not decrypt under its wrapping key ("
              + e.codeName()
              + "): the data object was altered or belongs to another key",
          e);
    }
    if (seed.length != WrappedMlDsaSeed.SEED_BYTES) {
      int length = seed.length;
      Arrays.fill(seed, (byte) 0);
      throw new Pkcs11Exception(
          session.token().where()
              + " decrypted the ML-DSA half of "
              + name()
              + " to "
              + length
              + " bytes instead of a 32-byte seed");
    }
    return seed;
  }

  /** The composite public key as a TUF key object: hex(ML-DSA-65 public key ‖ Ed25519). */
  public TufKey publicKey() {
    return publicKey;
  }

  public String keyId() {
    return publicKey.keyId();
  }

  /** The label shared by the key's objects (that of the Ed25519 private key). */
  public String label() {
    return ed25519.label();
  }

  /** The {@code CKA_ID} shared by the key's objects. */
  public byte[] id() {
    return ed25519.id();
  }

  /** The Ed25519 half, inside the token. */
  public TokenKeyPair ed25519KeyPair() {
    return ed25519;
  }

  /** The AES-256 key that encrypts the ML-DSA seed. */
  public TokenObject wrappingKey() {
    return wrappingKey;
  }

  /** The data object holding the encrypted ML-DSA seed. */
  public TokenObject wrappedSeedObject() {
    return dataObject;
  }

  /** The ML-DSA-65 public key (1952 bytes). */
  public byte[] mldsaPublicKey() {
    return wrapped.mldsaPublicKey();
  }

  /**
   * True when the token does not say that the wrapping key is sensitive and not extractable (a key
   * made by other tools); Graft makes it non-extractable.
   */
  public boolean wrappingKeyExtractable() {
    return wrappingKeyExtractable;
  }

  /** Every object of the key, for deleting it: Ed25519 private and public, AES key, data object. */
  public List<TokenObject> objects() {
    return List.of(ed25519.privateObject(), ed25519.publicObject(), wrappingKey, dataObject);
  }

  private String name() {
    return "composite key '" + label() + "' (id " + HexFormat.of().formatHex(id()) + ")";
  }

  private static boolean refusesUnmodifiable(CkrException e) {
    return e.is(Ckr.CKR_ATTRIBUTE_VALUE_INVALID)
        || e.is(Ckr.CKR_ATTRIBUTE_TYPE_INVALID)
        || e.is(Ckr.CKR_TEMPLATE_INCONSISTENT)
        || e.is(Ckr.CKR_ATTRIBUTE_READ_ONLY);
  }

  private static void requireMechanism(TokenSession session, long mechanism, String purpose) {
    if (!session.token().advertises(mechanism)) {
      throw new Pkcs11Exception(
          session.token().where()
              + " does not offer mechanism 0x"
              + Long.toHexString(mechanism)
              + ", needed for "
              + purpose
              + " of a composite key");
    }
  }

  @Override
  public String toString() {
    return "TokenCompositeKey[" + label() + ", id " + HexFormat.of().formatHex(id()) + "]";
  }
}
