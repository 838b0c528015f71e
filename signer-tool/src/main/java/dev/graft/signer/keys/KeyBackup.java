package dev.graft.signer.keys;

import dev.graft.bundle.Digests;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.signer.CliException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;

/**
 * An offline backup of one key, as a JSON file a key ceremony stores on separate media:
 *
 * <pre>{@code
 * {"format": "graft-key-backup", "version": 1, "kind": "key-file" | "token-mldsa-half",
 *  "key_id": "…", "public_key": {TUF key object}, "created": "2026-12-04T13:00:00Z",
 *  "token_label": "…", "token_id": "…",               (token-mldsa-half only)
 *  "private_key": "-----BEGIN ENCRYPTED PRIVATE KEY-----…",   (key-file)
 *  "sealed_seed": {"kdf": "pbkdf2-hmac-sha256", "iterations": …, "salt": hex,
 *                  "cipher": "aes-256-gcm", "iv": hex, "ciphertext": hex},  (token-mldsa-half)
 *  "sha256": "…"}
 * }</pre>
 *
 * <ul>
 *   <li>{@code key-file}: the whole private key, re-encrypted under a separate backup passphrase as
 *       a standard encrypted PKCS#8 block (OpenSSL reads it too: a backup must outlive the tool).
 *   <li>{@code token-mldsa-half}: the ML-DSA-65 seed of a composite key kept on a token in the
 *       wrapped mode, sealed with AES-256-GCM under a key derived from the backup passphrase, with
 *       every other field as additional data. The Ed25519 half never leaves its token; it is backed
 *       up by the token vendor's own means, and the seed is joined to it again on restore.
 * </ul>
 *
 * {@code sha256} is the SHA-256 of the canonical JSON of every other field: it catches damage
 * before any decryption is tried. It is not a signature — whoever can write the file can recompute
 * it — so a restore also checks that the decrypted key is the one {@code public_key} names, and the
 * ceremony compares the printed key id with the one it recorded.
 */
public final class KeyBackup {
  public static final String FORMAT = "graft-key-backup";
  public static final int VERSION = 1;

  /**
   * A backup is a few kilobytes (composite public keys are the largest part); cap before reading.
   */
  public static final int MAX_BYTES = 64 * 1024;

  private static final int SEED_BYTES = 32;
  private static final int SALT_BYTES = 16;
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** What a backup holds. */
  public enum Kind {
    KEY_FILE("key-file"),
    TOKEN_MLDSA_HALF("token-mldsa-half");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  private final JsonObject json;
  private final Kind kind;
  private final TufKey key;
  private final Instant created;
  private final String name;

  private KeyBackup(JsonObject json, Kind kind, TufKey key, Instant created, String name) {
    this.json = json;
    this.kind = kind;
    this.key = key;
    this.created = created;
    this.name = name;
  }

  /**
   * The backup of a key file's key, encrypted with {@code passphrase} (cleared).
   *
   * @throws IllegalArgumentException for an empty passphrase or iterations out of range
   */
  public static byte[] ofKeyFile(SoftwareKey key, char[] passphrase, int iterations, Instant now) {
    String encrypted =
        new String(PrivateKeyFile.encrypt(key, passphrase, iterations), StandardCharsets.US_ASCII);
    return seal(header(Kind.KEY_FILE, key.publicKey(), now).put("private_key", encrypted));
  }

  /**
   * The backup of the ML-DSA-65 half of a token composite key: its 32-byte {@code seed}, sealed
   * under {@code passphrase} (cleared; the seed is the caller's to clear).
   *
   * @throws IllegalArgumentException for an empty passphrase, iterations out of range, or a seed
   *     that is not the ML-DSA half of {@code key}
   */
  public static byte[] ofTokenMlDsaHalf(
      TufKey key,
      String tokenLabel,
      String tokenIdHex,
      byte[] seed,
      char[] passphrase,
      int iterations,
      Instant now) {
    try {
      requirePassphrase(passphrase, iterations);
      requireSeedOf(key, seed);
      byte[] salt = random(SALT_BYTES);
      byte[] iv = random(IV_BYTES);
      JsonObject.Builder builder =
          header(Kind.TOKEN_MLDSA_HALF, key, now)
              .put("token_label", tokenLabel)
              .put("token_id", tokenIdHex);
      JsonObject.Builder sealed =
          JsonObject.builder()
              .put("kdf", "pbkdf2-hmac-sha256")
              .put("iterations", iterations)
              .put("salt", HexFormat.of().formatHex(salt))
              .put("cipher", "aes-256-gcm")
              .put("iv", HexFormat.of().formatHex(iv));
      byte[] aad = CanonicalJson.encode(builder.put("sealed_seed", sealed.build()).build());
      byte[] ciphertext = gcm(Cipher.ENCRYPT_MODE, passphrase, salt, iterations, iv, aad, seed);
      builder.put(
          "sealed_seed", sealed.put("ciphertext", HexFormat.of().formatHex(ciphertext)).build());
      return seal(builder);
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  /**
   * Reads a backup, checking its size, format, checksum and key id before anything is decrypted.
   * {@code name} names it in messages.
   *
   * @throws CliException naming the file and what is wrong with it
   */
  public static KeyBackup read(byte[] file, String name) {
    if (file.length > MAX_BYTES) {
      throw damaged(name, "it is " + file.length + " bytes, more than a key backup can be");
    }
    JsonObject json;
    try {
      json = JsonParser.withCaps(MAX_BYTES, 8).parseObject(file);
    } catch (TrustException e) {
      throw damaged(name, "it is not JSON (" + e.getMessage() + ")");
    }
    try {
      if (!FORMAT.equals(json.optionalString("format").orElse(""))) {
        throw new CliException(
            name + " is not a Graft key backup (no \"format\": \"" + FORMAT + "\")");
      }
      if (json.integer("version") != VERSION) {
        throw new CliException(
            name
                + " is a key backup of version "
                + json.integer("version")
                + "; this graft reads"
                + " version "
                + VERSION);
      }
      String stored = json.string("sha256");
      byte[] expected = checksum(json.toBuilder().remove("sha256").build());
      if (!MessageDigest.isEqual(
          expected, stored.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
        throw damaged(name, "its sha256 checksum does not match its content");
      }
      Kind kind = kindOf(json.string("kind"), name);
      TufKey key = TufKey.fromJson(json.object("public_key"));
      if (!key.keyId().equals(json.string("key_id"))) {
        throw damaged(name, "its key_id is not the id of its public_key");
      }
      Instant created = Instant.parse(json.string("created"));
      return new KeyBackup(json, kind, key, created, name);
    } catch (TrustException | DateTimeParseException | IllegalArgumentException e) {
      throw damaged(name, "a field is missing or malformed (" + e.getMessage() + ")");
    }
  }

  public Kind kind() {
    return kind;
  }

  /** The public key of the backed-up key. */
  public TufKey key() {
    return key;
  }

  public Instant created() {
    return created;
  }

  /** For {@link Kind#TOKEN_MLDSA_HALF}: the token label and id the key had. */
  public String tokenLabel() {
    return json.optionalString("token_label").orElse("");
  }

  public String tokenIdHex() {
    return json.optionalString("token_id").orElse("");
  }

  /**
   * The key of a {@link Kind#KEY_FILE} backup, checked to be {@link #key()}; clears the passphrase.
   *
   * @throws TrustException when the passphrase is wrong or the key is not the one named
   */
  public SoftwareKey decryptKeyFile(char[] passphrase) {
    if (kind != Kind.KEY_FILE) {
      throw new CliException(name + " holds " + kind.word() + ", not a key file's key");
    }
    return PrivateKeyFile.decrypt(
        json.string("private_key").getBytes(StandardCharsets.US_ASCII), passphrase, name, key);
  }

  /**
   * The ML-DSA-65 seed of a {@link Kind#TOKEN_MLDSA_HALF} backup, for the caller to clear; checked
   * to be the half of {@link #key()}. Clears the passphrase.
   *
   * @throws CliException when the passphrase is wrong or the backup was altered (GCM cannot tell
   *     them apart), or the seed is not the key's
   */
  public byte[] decryptMlDsaSeed(char[] passphrase) {
    try {
      if (kind != Kind.TOKEN_MLDSA_HALF) {
        throw new CliException(name + " holds " + kind.word() + ", not a token key's ML-DSA half");
      }
      JsonObject sealed = json.object("sealed_seed");
      long iterations = sealed.integer("iterations");
      if (!sealed.string("kdf").equals("pbkdf2-hmac-sha256")
          || !sealed.string("cipher").equals("aes-256-gcm")
          || iterations < 1
          || iterations > PrivateKeyFile.MAX_ITERATIONS) {
        throw damaged(name, "its sealed_seed names a key derivation or cipher graft does not use");
      }
      byte[] aad =
          CanonicalJson.encode(
              json.toBuilder()
                  .remove("sha256")
                  .put("sealed_seed", sealed.toBuilder().remove("ciphertext").build())
                  .build());
      byte[] seed;
      try {
        seed =
            gcm(
                Cipher.DECRYPT_MODE,
                passphrase,
                HexFormat.of().parseHex(sealed.string("salt")),
                (int) iterations,
                HexFormat.of().parseHex(sealed.string("iv")),
                aad,
                HexFormat.of().parseHex(sealed.string("ciphertext")));
      } catch (IllegalArgumentException e) {
        throw damaged(name, "its sealed_seed is malformed (" + e.getMessage() + ")");
      }
      try {
        requireSeedOf(key, seed);
      } catch (IllegalArgumentException e) {
        Arrays.fill(seed, (byte) 0);
        throw damaged(name, String.valueOf(e.getMessage()));
      }
      return seed;
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  private static JsonObject.Builder header(Kind kind, TufKey key, Instant now) {
    return JsonObject.builder()
        .put("format", FORMAT)
        .put("version", VERSION)
        .put("kind", kind.word())
        .put("key_id", key.keyId())
        .put("public_key", key.json())
        .put("created", now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
  }

  private static byte[] seal(JsonObject.Builder builder) {
    JsonObject body = builder.build();
    String sum = new String(checksum(body), StandardCharsets.US_ASCII);
    return PrettyJson.encode(body.toBuilder().put("sha256", sum).build());
  }

  /** Lower-case hex of the SHA-256 of the canonical JSON, as ASCII bytes. */
  private static byte[] checksum(JsonObject body) {
    return Digests.sha256Hex(CanonicalJson.encode(body)).getBytes(StandardCharsets.US_ASCII);
  }

  private static Kind kindOf(String word, String name) {
    for (Kind kind : Kind.values()) {
      if (kind.word.equals(word)) {
        return kind;
      }
    }
    throw damaged(name, "its kind \"" + word + "\" is none graft writes");
  }

  /** The seed must derive the ML-DSA-65 public key the composite public key starts with. */
  private static void requireSeedOf(TufKey key, byte[] seed) {
    if (key.type().orElse(null) != KeyType.MLDSA65_ED25519) {
      throw new IllegalArgumentException("key " + key.keyId() + " is not a composite key");
    }
    if (seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("an ML-DSA-65 seed is 32 bytes, not " + seed.length);
    }
    MLDSAPrivateKeyParameters mldsa =
        new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed.clone());
    try {
      byte[] derived = mldsa.getPublicKeyParameters().getEncoded();
      byte[] stored =
          Arrays.copyOf(
              HexFormat.of().parseHex(key.publicValue()), CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES);
      if (!MessageDigest.isEqual(derived, stored)) {
        throw new IllegalArgumentException(
            "the ML-DSA seed is not the ML-DSA half of key " + key.keyId());
      }
    } finally {
      mldsa.destroy();
    }
  }

  private static void requirePassphrase(char[] passphrase, int iterations) {
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("an empty passphrase would leave the backup unprotected");
    }
    if (iterations < PrivateKeyFile.MIN_ITERATIONS || iterations > PrivateKeyFile.MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "PBKDF2 iterations must be between "
              + PrivateKeyFile.MIN_ITERATIONS
              + " and "
              + PrivateKeyFile.MAX_ITERATIONS);
    }
  }

  private static byte[] gcm(
      int mode, char[] passphrase, byte[] salt, int iterations, byte[] iv, byte[] aad, byte[] in) {
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
    byte[] derived = null;
    try {
      derived =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, new SecretKeySpec(derived, "AES"), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad);
      return cipher.doFinal(in);
    } catch (AEADBadTagException e) {
      throw new CliException(
          "cannot decrypt the backup: the backup passphrase is wrong or the backup was altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK provides PBKDF2-HMAC-SHA256 and AES-GCM", e);
    } finally {
      spec.clearPassword();
      if (derived != null) {
        Arrays.fill(derived, (byte) 0);
      }
    }
  }

  private static byte[] random(int bytes) {
    byte[] out = new byte[bytes];
    new SecureRandom().nextBytes(out);
    return out;
  }

  private static CliException damaged(String name, String why) {
    return new CliException(
        name
            + " is damaged or not a key backup: "
            + why
            + "; nothing was restored. Use another"
            + " copy of the backup");
  }

  @Override
  public String toString() {
    return "KeyBackup[" + kind.word() + ", " + key.keyId() + ", " + name + "]";
  }
}
