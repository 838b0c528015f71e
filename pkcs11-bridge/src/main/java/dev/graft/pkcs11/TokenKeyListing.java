package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_KEY_TYPE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_EC;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_EC_EDWARDS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_ML_DSA;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_PRIVATE_KEY;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The keys on a token that Graft can use — ECDSA P-256 key pairs, composite {@code mldsa65-ed25519}
 * keys in the wrapped mode, and Ed25519 key pairs (usable only as the half of a composite key) —
 * with their public keys as TUF key objects. Private keys Graft cannot use are listed apart with
 * the reason, so that a key missing from the list is explained.
 *
 * <p>Listing needs a logged-in session: private keys and Graft's data objects are private objects.
 * Each key pair is checked to belong together (one probe signature per key), so a listing costs a
 * signature per key.
 */
public final class TokenKeyListing {
  /** Said of every token that lists {@code CKM_ML_DSA}. */
  public static final String NATIVE_ML_DSA_NOTE =
      "token advertises CKM_ML_DSA; Graft still uses the wrapped mode until native signing is"
          + " tested against such a token";

  static final String ECDSA_STORAGE = "inside the token";
  static final String ED25519_STORAGE =
      "inside the token; usable only as the Ed25519 half of a composite key, not as a TUF key of"
          + " its own";
  static final String COMPOSITE_STORAGE =
      "Ed25519 half inside the token; ML-DSA-65 half stored wrapped (AES-GCM under a token key) and"
          + " decrypted into memory for each signature — a software key protected by the token and"
          + " its PIN, not an HSM-resident key";

  private final Token token;
  private final List<ListedTokenKey> keys;
  private final List<String> skipped;

  private TokenKeyListing(Token token, List<ListedTokenKey> keys, List<String> skipped) {
    this.token = token;
    this.keys = List.copyOf(keys);
    this.skipped = List.copyOf(skipped);
  }

  /** Lists the keys of the session's token. */
  public static TokenKeyListing of(TokenSession session) {
    List<ListedTokenKey> keys = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (TokenObject object : session.find(ObjectQuery.all().ofClass(CKO_PRIVATE_KEY))) {
      String label = session.label(object).orElse("");
      byte[] id = session.id(object).orElse(new byte[0]);
      String name = "private key '" + label + "' (id " + (id.length == 0 ? "none" : hex(id)) + ")";
      ObjectQuery query = ObjectQuery.all().withLabel(label);
      if (id.length > 0) {
        query = query.withId(id);
      }
      try {
        Optional<ListedTokenKey> key = describe(session, object, query);
        if (key.isPresent()) {
          keys.add(key.get());
        } else {
          skipped.add(name + ": " + unusableReason(session, object));
        }
      } catch (Pkcs11Exception e) {
        skipped.add(name + ": " + e.getMessage());
      }
    }
    return new TokenKeyListing(session.token(), keys, skipped);
  }

  /**
   * The one key whose private key matches {@code query}, as a listing shows it: for exporting its
   * public key ({@link ListedTokenKey#publicKeyJson()}).
   *
   * @throws ObjectNotFoundException when no private key matches
   * @throws Pkcs11Exception when several match, or the key is not one Graft can use (the message
   *     says why)
   */
  public static ListedTokenKey find(TokenSession session, ObjectQuery query) {
    ObjectQuery privateQuery = query.ofClass(CKO_PRIVATE_KEY);
    TokenObject object = session.findOne(privateQuery);
    String name = privateQuery.describe();
    return describe(session, object, query)
        .orElseThrow(() ->
            new Pkcs11Exception(
                session.token().where()
                    + ": "
                    + name
                    + " is not a key Graft can use: "
                    + unusableReason(session, object)));
  }

  /** The usable keys, in the token's order. */
  public List<ListedTokenKey> keys() {
    return keys;
  }

  /** Private keys Graft cannot use, each with the reason. */
  public List<String> skipped() {
    return skipped;
  }

  /** Remarks about the token itself, such as {@link #NATIVE_ML_DSA_NOTE}. */
  public List<String> notes() {
    return notes(token.mechanisms());
  }

  /** The notes for a token that lists these mechanisms. */
  static List<String> notes(Set<Long> mechanisms) {
    return mechanisms.contains(Pkcs11Constants.CKM_ML_DSA)
        ? List.of(NATIVE_ML_DSA_NOTE)
        : List.of();
  }

  /**
   * The listing as text for people: a heading for the token, then per key its label, id, type, key
   * id, where it lives and its TUF key object.
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("token '")
        .append(token.label())
        .append("' (serial ")
        .append(token.serial())
        .append("): ")
        .append(keys.size())
        .append(keys.size() == 1 ? " key" : " keys")
        .append('\n');
    for (String note : notes()) {
      out.append("note: ").append(note).append('\n');
    }
    for (ListedTokenKey key : keys) {
      out.append('\n')
          .append("label:   ")
          .append(key.label())
          .append('\n')
          .append("id:      ")
          .append(key.idHex().isEmpty() ? "(none)" : key.idHex())
          .append('\n')
          .append("type:    ")
          .append(key.type().keyType())
          .append('\n')
          .append("key id:  ")
          .append(key.keyId())
          .append('\n')
          .append("storage: ")
          .append(key.storage())
          .append('\n')
          .append(key.publicKeyJson());
      if (!key.publicKeyJson().endsWith("\n")) {
        out.append('\n');
      }
    }
    for (String reason : skipped) {
      out.append("\nnot usable by Graft: ").append(reason).append('\n');
    }
    return out.toString();
  }

  /** Empty when the private key's type is none Graft signs with. */
  private static Optional<ListedTokenKey> describe(
      TokenSession session, TokenObject object, ObjectQuery query) {
    OptionalLong keyType = session.longAttribute(object, CKA_KEY_TYPE);
    if (keyType.isEmpty()) {
      return Optional.empty();
    }
    if (keyType.getAsLong() == CKK_EC) {
      TokenKeyPair pair = session.findKeyPair(query.ofKeyType(CKK_EC));
      return Optional.of(listed(pair, KeyType.ECDSA_P256, pair.publicKey(), ECDSA_STORAGE));
    }
    if (keyType.getAsLong() == CKK_EC_EDWARDS) {
      TokenKeyPair pair = session.findKeyPair(query.ofKeyType(CKK_EC_EDWARDS));
      Optional<TokenCompositeKey> composite = TokenCompositeKey.of(session, pair);
      if (composite.isPresent()) {
        TokenCompositeKey key = composite.get();
        String storage =
            key.wrappingKeyExtractable()
                ? COMPOSITE_STORAGE + " (WARNING: the token says its wrapping key is extractable)"
                : COMPOSITE_STORAGE;
        return Optional.of(listed(pair, KeyType.MLDSA65_ED25519, key.publicKey(), storage));
      }
      return Optional.of(listed(pair, KeyType.ED25519, pair.publicKey(), ED25519_STORAGE));
    }
    return Optional.empty();
  }

  private static ListedTokenKey listed(
      TokenKeyPair pair, KeyType type, TufKey publicKey, String storage) {
    return new ListedTokenKey(pair.label(), hex(pair.id()), type, publicKey, storage);
  }

  private static String unusableReason(TokenSession session, TokenObject object) {
    OptionalLong keyType = session.longAttribute(object, CKA_KEY_TYPE);
    if (keyType.isEmpty()) {
      return "the token does not say its key type";
    }
    if (keyType.getAsLong() == CKK_ML_DSA) {
      return "a native ML-DSA key (CKK_ML_DSA); Graft does not sign with native ML-DSA keys yet";
    }
    return "a key of type 0x"
        + Long.toHexString(keyType.getAsLong())
        + "; Graft signs with ECDSA P-256 and composite mldsa65-ed25519 keys";
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public String toString() {
    return "TokenKeyListing[" + token.label() + ", " + keys.size() + " keys]";
  }
}
