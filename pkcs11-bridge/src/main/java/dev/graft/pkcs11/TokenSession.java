package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_CLASS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_DECRYPT;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_EC_PARAMS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_EC_POINT;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_ENCRYPT;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_EXTRACTABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_ID;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_KEY_TYPE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_LABEL;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_PRIVATE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_SENSITIVE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_SIGN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_TOKEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_VALUE_LEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_VERIFY;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_AES;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_EC;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_EC_EDWARDS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_AES_GCM;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_AES_KEY_GEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_ECDSA;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_EC_EDWARDS_KEY_PAIR_GEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_EC_KEY_PAIR_GEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_EDDSA;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_PRIVATE_KEY;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_PUBLIC_KEY;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_SECRET_KEY;

import dev.graft.bundle.Digests;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.internal.Attribute;
import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import dev.graft.pkcs11.internal.Cryptoki;
import dev.graft.pkcs11.internal.KeyPairHandles;
import dev.graft.pkcs11.internal.Mechanism;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A logged-in (or public) connection to one token: find objects, read their attributes, generate
 * keys, and sign, verify, encrypt and decrypt with keys that stay on the token. Higher layers
 * (signers, trust anchors, TLS) build on this class and never see the native binding.
 *
 * <h2>Threads</h2>
 *
 * A PKCS#11 session runs one operation at a time ({@code C_SignInit} then {@code C_Sign} must not
 * interleave with another thread's), so this class owns a small pool of PKCS#11 sessions, opened on
 * demand up to the parallelism given to {@link Token#openSession(int)}. Every operation takes a
 * session from the pool for its whole Init…Final sequence, so each PKCS#11 session is used by one
 * thread at a time; the pool itself is guarded by a lock, and a caller waits when all sessions are
 * busy. A pool rather than one session per operation because PKCS#11 keeps a user logged in only
 * while the application has a session open with the token, and opening sessions costs a round trip
 * on network HSMs; rather than one shared session because tokens that can sign in parallel
 * (hardware HSMs, SoftHSM2 with OS locking) then do.
 *
 * <h2>Login</h2>
 *
 * PKCS#11 login belongs to the token, not to a session: {@link #login} logs in every session this
 * process has with the token, including those of other {@code TokenSession}s, and {@link #logout}
 * logs them all out. If another session of this process has already logged in, {@code login}
 * succeeds without the token checking the PIN again.
 */
public final class TokenSession implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int ID_BYTES = 16;
  private static final int TAG_BITS = AesGcmCiphertext.TAG_BYTES * 8;
  private static final int AES_256_KEY_BYTES = 32;
  private static final int MAX_OBJECTS = 10_000;
  private static final byte[] PROBE =
      "Graft checks that this key pair belongs together".getBytes(StandardCharsets.UTF_8);

  private final Token token;
  private final Cryptoki cryptoki;
  private final String where;
  private final int maxSessions;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition sessionFree = lock.newCondition();
  // Guarded by lock.
  private final Deque<Long> idle = new ArrayDeque<>();
  private int open;
  private boolean closed;
  private boolean loggedIn;

  TokenSession(Token token, int maxSessions) {
    this.token = token;
    this.cryptoki = token.module().cryptoki();
    this.where = token.where();
    this.maxSessions = maxSessions;
    // Open the first session now, so a missing token or a full session table fails here.
    idle.push(openPkcs11Session());
    open = 1;
    try {
      token.module().register(this);
    } catch (Pkcs11Exception e) {
      cryptoki.closeSession(idle.pop());
      throw e;
    }
  }

  public Token token() {
    return token;
  }

  /**
   * Logs the user in with {@code pin}, which is cleared (filled with NUL characters) whether or not
   * the login succeeds.
   *
   * @throws CkrException with {@link Ckr#CKR_PIN_INCORRECT} for a wrong PIN, {@link
   *     Ckr#CKR_PIN_LOCKED} when the token has locked it; the message never contains the PIN
   */
  public void login(char[] pin) {
    try {
      withSession(handle -> cryptoki.login(handle, Pkcs11Constants.CKU_USER, pin));
      lock.lock();
      try {
        loggedIn = true;
      } finally {
        lock.unlock();
      }
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  /** True after a successful {@link #login} through this object (and before {@link #logout}). */
  public boolean isLoggedIn() {
    lock.lock();
    try {
      return loggedIn;
    } finally {
      lock.unlock();
    }
  }

  /** Logs the user out of the token: every session of this process with it. */
  public void logout() {
    runOnSession(cryptoki::logout);
    lock.lock();
    try {
      loggedIn = false;
    } finally {
      lock.unlock();
    }
  }

  // Objects and attributes.

  /** Every object the session can see that matches (at most 10,000). */
  public List<TokenObject> find(ObjectQuery query) {
    long[] handles =
        withSession(handle -> cryptoki.findObjects(handle, query.template(), MAX_OBJECTS));
    return Arrays.stream(handles).mapToObj(TokenObject::new).toList();
  }

  /**
   * The one object that matches.
   *
   * @throws ObjectNotFoundException when none does
   * @throws Pkcs11Exception when several do, saying how many
   */
  public TokenObject findOne(ObjectQuery query) {
    List<TokenObject> found = find(query);
    if (found.isEmpty()) {
      throw new ObjectNotFoundException(
          where
              + " has no "
              + query.describe()
              + (isLoggedIn() ? "" : " visible without login (private objects need a PIN)"));
    }
    if (found.size() > 1) {
      throw new Pkcs11Exception(
          where
              + " has "
              + found.size()
              + " objects matching "
              + query.describe()
              + "; give an id as well to pick one");
    }
    return found.getFirst();
  }

  /** The raw value, or empty when the object lacks the attribute or the token withholds it. */
  public Optional<byte[]> attribute(TokenObject object, long type) {
    return withSession(handle -> cryptoki.attribute(handle, object.handle(), type));
  }

  public Optional<String> label(TokenObject object) {
    return attribute(object, CKA_LABEL).map(value -> new String(value, StandardCharsets.UTF_8));
  }

  public Optional<byte[]> id(TokenObject object) {
    return attribute(object, CKA_ID);
  }

  public Optional<Boolean> booleanAttribute(TokenObject object, long type) {
    return attribute(object, type).map(Attribute::decodeBoolean);
  }

  public OptionalLong longAttribute(TokenObject object, long type) {
    Optional<byte[]> value = attribute(object, type);
    return value.isPresent()
        ? OptionalLong.of(Attribute.decodeLong(value.get()))
        : OptionalLong.empty();
  }

  /** {@code C_CreateObject} with the template as given. */
  TokenObject createObject(List<Attribute> template) {
    return new TokenObject(withSession(handle -> cryptoki.createObject(handle, template)));
  }

  /**
   * {@code C_SetAttributeValue} with the template as given.
   *
   * @throws CkrException when the token refuses, e.g. {@link Ckr#CKR_ACTION_PROHIBITED} or {@link
   *     Ckr#CKR_ATTRIBUTE_READ_ONLY} for an object created with {@code CKA_MODIFIABLE} false
   */
  void setAttributes(TokenObject object, List<Attribute> template) {
    runOnSession(handle -> cryptoki.setAttributes(handle, object.handle(), template));
  }

  public void destroy(TokenObject object) {
    runOnSession(handle -> cryptoki.destroyObject(handle, object.handle()));
  }

  // Key generation.

  /** A new ECDSA P-256 key pair on the token with a random 16-byte id; see the overload. */
  public TokenKeyPair generateEcdsaP256KeyPair(String label) {
    return generateEcdsaP256KeyPair(label, randomId());
  }

  /**
   * A new ECDSA P-256 key pair generated inside the token: a token object, private ({@code
   * CKA_PRIVATE}), sensitive and not extractable, usable only to sign; its public half verifies. If
   * any step after generation fails, both halves are destroyed again.
   *
   * @throws Pkcs11Exception when an object with this label or id already exists, the token lacks
   *     the mechanism, or the token fails
   */
  public TokenKeyPair generateEcdsaP256KeyPair(String label, byte[] id) {
    return generateKeyPair(KeyType.ECDSA_P256, label, id, pair -> {});
  }

  /** A new Ed25519 key pair on the token with a random 16-byte id; see the overload. */
  public TokenKeyPair generateEd25519KeyPair(String label) {
    return generateEd25519KeyPair(label, randomId());
  }

  /**
   * A new Ed25519 key pair generated inside the token ({@code CKM_EC_EDWARDS_KEY_PAIR_GEN}), with
   * the same attributes and guarantees as {@link #generateEcdsaP256KeyPair(String, byte[])}.
   */
  public TokenKeyPair generateEd25519KeyPair(String label, byte[] id) {
    return generateKeyPair(KeyType.ED25519, label, id, pair -> {});
  }

  /**
   * Generates a key pair, completes it, then runs {@code afterGeneration}; if completing or that
   * step throws, both objects are destroyed. The step exists so tests can prove the cleanup.
   */
  TokenKeyPair generateKeyPair(
      KeyType type, String label, byte[] id, Consumer<TokenKeyPair> afterGeneration) {
    long mechanism;
    long keyType;
    byte[] params;
    switch (type) {
      case ECDSA_P256 -> {
        mechanism = CKM_EC_KEY_PAIR_GEN;
        keyType = CKK_EC;
        params = TokenPublicKeys.P256_PARAMS;
      }
      case ED25519 -> {
        mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
        keyType = CKK_EC_EDWARDS;
        params = TokenPublicKeys.ED25519_OID_PARAMS;
      }
      default ->
          throw new Pkcs11Exception(
              "Graft generates ECDSA P-256 and Ed25519 key pairs on tokens, not " + type.keyType());
    }
    requireMechanism(mechanism, type.keyType() + " key generation");
    requireFree(label, id);
    List<Attribute> publicTemplate =
        List.of(
            Attribute.of(CKA_CLASS, CKO_PUBLIC_KEY),
            Attribute.of(CKA_KEY_TYPE, keyType),
            Attribute.of(CKA_TOKEN, true),
            Attribute.of(CKA_PRIVATE, false),
            Attribute.of(CKA_VERIFY, true),
            Attribute.of(CKA_EC_PARAMS, params),
            Attribute.of(CKA_LABEL, label),
            Attribute.of(CKA_ID, id));
    List<Attribute> privateTemplate =
        List.of(
            Attribute.of(CKA_CLASS, CKO_PRIVATE_KEY),
            Attribute.of(CKA_KEY_TYPE, keyType),
            Attribute.of(CKA_TOKEN, true),
            Attribute.of(CKA_PRIVATE, true),
            Attribute.of(CKA_SENSITIVE, true),
            Attribute.of(CKA_EXTRACTABLE, false),
            Attribute.of(CKA_SIGN, true),
            Attribute.of(CKA_LABEL, label),
            Attribute.of(CKA_ID, id));
    KeyPairHandles handles =
        withSession(handle ->
            cryptoki.generateKeyPair(
                handle, Mechanism.of(mechanism), publicTemplate, privateTemplate));
    TokenObject publicObject = new TokenObject(handles.publicKey());
    TokenObject privateObject = new TokenObject(handles.privateKey());
    try {
      TokenKeyPair pair = completePair(type, publicObject, privateObject, label, id);
      afterGeneration.accept(pair);
      return pair;
    } catch (RuntimeException e) {
      destroyAfterFailure(e, privateObject, publicObject);
      throw e;
    }
  }

  /** A new AES-256 key on the token with a random 16-byte id; see the overload. */
  public TokenObject generateAes256Key(String label) {
    return generateAes256Key(label, randomId());
  }

  /**
   * A new AES-256 secret key generated inside the token: a private token object, sensitive and not
   * extractable, usable only to encrypt and decrypt (for AES-GCM through {@link #encryptAesGcm}).
   * It is checked with an encrypt/decrypt round trip and destroyed again if that fails.
   */
  public TokenObject generateAes256Key(String label, byte[] id) {
    requireFree(label, id);
    return generateAes256KeyBeside(label, id);
  }

  /**
   * As {@link #generateAes256Key(String, byte[])}, without refusing a label and id that other
   * objects already have: for the AES key that belongs to a composite key and shares its label and
   * id ({@link TokenCompositeKey}).
   */
  TokenObject generateAes256KeyBeside(String label, byte[] id) {
    requireMechanism(CKM_AES_KEY_GEN, "AES key generation");
    requireMechanism(CKM_AES_GCM, "AES-GCM");
    List<Attribute> template =
        List.of(
            Attribute.of(CKA_CLASS, CKO_SECRET_KEY),
            Attribute.of(CKA_KEY_TYPE, CKK_AES),
            Attribute.of(CKA_VALUE_LEN, (long) AES_256_KEY_BYTES),
            Attribute.of(CKA_TOKEN, true),
            Attribute.of(CKA_PRIVATE, true),
            Attribute.of(CKA_SENSITIVE, true),
            Attribute.of(CKA_EXTRACTABLE, false),
            Attribute.of(CKA_ENCRYPT, true),
            Attribute.of(CKA_DECRYPT, true),
            Attribute.of(CKA_LABEL, label),
            Attribute.of(CKA_ID, id));
    TokenObject key =
        new TokenObject(
            withSession(
                handle -> cryptoki.generateKey(handle, Mechanism.of(CKM_AES_KEY_GEN), template)));
    try {
      byte[] aad = "self-test".getBytes(StandardCharsets.UTF_8);
      byte[] back = decryptAesGcm(key, encryptAesGcm(key, PROBE, aad), aad);
      if (!Arrays.equals(back, PROBE)) {
        throw new Pkcs11Exception(
            where + " returned wrong plaintext in an AES-GCM round trip with a new key");
      }
      return key;
    } catch (RuntimeException e) {
      destroyAfterFailure(e, key);
      throw e;
    }
  }

  /**
   * The key pair whose private key matches {@code query} (its class is set to private key), with
   * the public key object found by the private key's {@code CKA_ID} (by label if it has none).
   *
   * @throws ObjectNotFoundException when there is no such private key or no public key for it
   * @throws Pkcs11Exception when the key is of a type Graft does not sign with, or the halves do
   *     not belong together
   */
  public TokenKeyPair findKeyPair(ObjectQuery query) {
    ObjectQuery privateQuery = query.ofClass(CKO_PRIVATE_KEY);
    TokenObject privateObject = findOne(privateQuery);
    long keyType =
        longAttribute(privateObject, CKA_KEY_TYPE)
            .orElseThrow(() ->
                new Pkcs11Exception(
                    where + " does not say the key type of " + privateQuery.describe()));
    KeyType type;
    if (keyType == CKK_EC) {
      type = KeyType.ECDSA_P256;
    } else if (keyType == CKK_EC_EDWARDS) {
      type = KeyType.ED25519;
    } else {
      throw new Pkcs11Exception(
          where
              + ": "
              + privateQuery.describe()
              + " is a key of type 0x"
              + Long.toHexString(keyType)
              + "; Graft signs with EC (P-256) and Edwards (Ed25519) keys");
    }
    String label = label(privateObject).orElse("");
    byte[] id = id(privateObject).orElse(new byte[0]);
    ObjectQuery publicQuery = ObjectQuery.all().ofClass(CKO_PUBLIC_KEY).ofKeyType(keyType);
    publicQuery = id.length > 0 ? publicQuery.withId(id) : publicQuery.withLabel(label);
    List<TokenObject> publics = find(publicQuery);
    if (publics.isEmpty()) {
      throw new ObjectNotFoundException(
          where
              + " has no "
              + publicQuery.describe()
              + " for "
              + privateQuery.describe()
              + "; Graft reads the public key from the public key object");
    }
    if (publics.size() > 1) {
      throw new Pkcs11Exception(
          where
              + " has "
              + publics.size()
              + " objects matching "
              + publicQuery.describe()
              + "; give each key pair its own id");
    }
    return completePair(type, publics.getFirst(), privateObject, label, id);
  }

  /**
   * Reads the public key, checks the private key signs what it verifies, and records whether the
   * private key is extractable.
   */
  private TokenKeyPair completePair(
      KeyType type, TokenObject publicObject, TokenObject privateObject, String label, byte[] id) {
    String what = where + ": public key labelled '" + label + "'";
    byte[] ecParams = required(publicObject, CKA_EC_PARAMS, what);
    byte[] ecPoint = required(publicObject, CKA_EC_POINT, what);
    TufKey publicKey;
    boolean matches;
    if (type == KeyType.ECDSA_P256) {
      ECPublicKey key = TokenPublicKeys.ecdsaP256(ecParams, ecPoint, what);
      publicKey = TokenPublicKeys.tufKey(key);
      byte[] signature = TokenPublicKeys.rawToDer(sign(privateObject, CKM_ECDSA, sha256(PROBE)));
      matches = verifyWithJdk(key, PROBE, signature);
    } else {
      byte[] raw = TokenPublicKeys.ed25519(ecParams, ecPoint, what);
      publicKey = TokenPublicKeys.tufKey(raw);
      byte[] signature = sign(privateObject, CKM_EDDSA, PROBE);
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, new Ed25519PublicKeyParameters(raw));
      verifier.update(PROBE, 0, PROBE.length);
      matches = verifier.verifySignature(signature);
    }
    if (!matches) {
      throw new Pkcs11Exception(
          where
              + ": the public key object with id "
              + HexFormat.of().formatHex(id)
              + " does not belong to the private key labelled '"
              + label
              + "' (a signature by one does not verify with the other)");
    }
    boolean nonExtractable =
        booleanAttribute(privateObject, CKA_SENSITIVE).orElse(false)
            && !booleanAttribute(privateObject, CKA_EXTRACTABLE).orElse(true);
    return new TokenKeyPair(
        type, publicObject, privateObject, label, id, publicKey, !nonExtractable);
  }

  // Cryptographic operations with keys on the token.

  /** {@code C_SignInit} + {@code C_Sign} with a mechanism that takes no parameters. */
  public byte[] sign(TokenObject key, long mechanism, byte[] data) {
    return withSession(
        handle -> cryptoki.sign(handle, Mechanism.of(mechanism), key.handle(), data));
  }

  /**
   * {@code C_VerifyInit} + {@code C_Verify}: false when the token says the signature is invalid or
   * has the wrong length.
   */
  public boolean verify(TokenObject key, long mechanism, byte[] data, byte[] signature) {
    return withSession(
        handle -> cryptoki.verify(handle, Mechanism.of(mechanism), key.handle(), data, signature));
  }

  /**
   * AES-GCM encryption on the token with a fresh random 12-byte IV and a 128-bit tag. The IV is
   * chosen here, never by the caller, so it cannot be reused by mistake.
   */
  AesGcmCiphertext encryptAesGcm(TokenObject key, byte[] plaintext, byte[] aad) {
    byte[] iv = new byte[AesGcmCiphertext.IV_BYTES];
    RANDOM.nextBytes(iv);
    Mechanism gcm = new Mechanism.AesGcm(iv, aad, TAG_BITS);
    byte[] ciphertext =
        withSession(handle -> cryptoki.encrypt(handle, gcm, key.handle(), plaintext));
    return AesGcmCiphertext.of(iv, ciphertext);
  }

  /**
   * AES-GCM decryption on the token.
   *
   * @throws CkrException when the tag does not verify (the ciphertext, IV or AAD was changed);
   *     tokens report that as {@code CKR_ENCRYPTED_DATA_INVALID} or a similar code
   */
  byte[] decryptAesGcm(TokenObject key, AesGcmCiphertext ciphertext, byte[] aad) {
    Mechanism gcm = new Mechanism.AesGcm(ciphertext.iv(), aad, TAG_BITS);
    byte[] data = ciphertext.ciphertext();
    return withSession(handle -> cryptoki.decrypt(handle, gcm, key.handle(), data));
  }

  // The session pool.

  /**
   * Closes every PKCS#11 session of this object (those in use are closed when their operation
   * ends). Logging out is left to the token: it logs the user out when the process's last session
   * with it closes, and an explicit {@code C_Logout} here would log out other {@code TokenSession}s
   * on the same token too.
   */
  @Override
  public void close() {
    List<Long> toClose;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(idle);
      open -= idle.size();
      idle.clear();
      sessionFree.signalAll();
    } finally {
      lock.unlock();
    }
    token.module().unregister(this);
    CkrException failure = null;
    for (long handle : toClose) {
      try {
        cryptoki.closeSession(handle);
      } catch (CkrException e) {
        if (failure == null) {
          failure = e.in(where);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @FunctionalInterface
  private interface SessionOperation<T> {
    T apply(long session);
  }

  /**
   * Runs {@code operation} on a PKCS#11 session that no other thread uses meanwhile. A session the
   * token declares dead (closed, token removed) is dropped rather than returned to the pool.
   */
  private <T> T withSession(SessionOperation<T> operation) {
    long session = checkOut();
    boolean healthy = true;
    try {
      return operation.apply(session);
    } catch (CkrException e) {
      healthy = !isDeadSession(e);
      throw e.in(where);
    } finally {
      checkIn(session, healthy);
    }
  }

  private void runOnSession(LongConsumer action) {
    withSession(session -> {
      action.accept(session);
      return Boolean.TRUE;
    });
  }

  private static boolean isDeadSession(CkrException e) {
    return e.is(Ckr.CKR_SESSION_HANDLE_INVALID)
        || e.is(Ckr.CKR_SESSION_CLOSED)
        || e.is(Ckr.CKR_DEVICE_REMOVED)
        || e.is(Ckr.CKR_TOKEN_NOT_PRESENT);
  }

  private long checkOut() {
    lock.lock();
    try {
      while (!closed && idle.isEmpty() && open >= maxSessions) {
        sessionFree.await();
      }
      if (closed) {
        throw new Pkcs11Exception(where + ": the token session is closed");
      }
      if (!idle.isEmpty()) {
        return idle.pop();
      }
      open++;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Pkcs11Exception(where + ": interrupted while waiting for a free session", e);
    } finally {
      lock.unlock();
    }
    try {
      return openPkcs11Session();
    } catch (RuntimeException e) {
      lock.lock();
      try {
        open--;
        sessionFree.signal();
      } finally {
        lock.unlock();
      }
      throw e;
    }
  }

  private void checkIn(long session, boolean healthy) {
    boolean keep;
    lock.lock();
    try {
      keep = healthy && !closed;
      if (keep) {
        idle.push(session);
      } else {
        open--;
      }
      sessionFree.signal();
    } finally {
      lock.unlock();
    }
    if (!keep && healthy) {
      cryptoki.closeSession(session);
    }
  }

  /** A read/write session, or a read-only one on a write-protected token. */
  private long openPkcs11Session() {
    long serial = Pkcs11Constants.CKF_SERIAL_SESSION;
    try {
      return cryptoki.openSession(token.slotId(), serial | Pkcs11Constants.CKF_RW_SESSION);
    } catch (CkrException e) {
      if (e.is(Ckr.CKR_TOKEN_WRITE_PROTECTED)) {
        try {
          return cryptoki.openSession(token.slotId(), serial);
        } catch (CkrException readOnly) {
          throw readOnly.in(where);
        }
      }
      throw e.in(where);
    }
  }

  // Small pieces.

  private void requireMechanism(long mechanism, String purpose) {
    if (!token.advertises(mechanism)) {
      throw new Pkcs11Exception(
          where
              + " does not offer mechanism 0x"
              + Long.toHexString(mechanism)
              + ", needed for "
              + purpose);
    }
  }

  private void requireFree(String label, byte[] id) {
    if (label.isBlank()) {
      throw new Pkcs11Exception("a key on a token needs a label that is not blank");
    }
    if (id.length == 0) {
      throw new Pkcs11Exception("a key on a token needs a non-empty id (CKA_ID)");
    }
    if (!find(ObjectQuery.all().withLabel(label)).isEmpty()) {
      throw new Pkcs11Exception(
          where
              + " already has an object labelled '"
              + label
              + "'; choose another label or delete that object first");
    }
    if (!find(ObjectQuery.all().withId(id)).isEmpty()) {
      throw new Pkcs11Exception(
          where
              + " already has an object with id "
              + HexFormat.of().formatHex(id)
              + "; choose another id");
    }
  }

  private byte[] required(TokenObject object, long type, String what) {
    return attribute(object, type)
        .orElseThrow(() ->
            new Pkcs11Exception(
                what + " lacks attribute 0x" + Long.toHexString(type) + " or withholds it"));
  }

  /** Destroys what a failed step created, keeping the step's failure as the one reported. */
  private void destroyAfterFailure(RuntimeException failure, TokenObject... objects) {
    for (TokenObject object : objects) {
      try {
        destroy(object);
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static byte[] randomId() {
    byte[] id = new byte[ID_BYTES];
    RANDOM.nextBytes(id);
    return id;
  }

  static byte[] sha256(byte[] message) {
    return Digests.sha256(message);
  }

  private static boolean verifyWithJdk(ECPublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "TokenSession[" + where + "]";
  }
}
