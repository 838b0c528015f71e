package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_LABEL;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_MODIFIABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_VALUE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_DATA;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.tuf.Thresholds;
import dev.graft.pkcs11.internal.Attribute;
import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A gateway's trust anchors — TUF public keys and root metadata — kept on its token as data objects
 * that cannot be modified: private token objects ({@code CKO_DATA}, {@code CKA_APPLICATION} {@value
 * #APPLICATION}, {@code CKA_MODIFIABLE} false) whose value is the anchor's bytes.
 *
 * <p>What that protects, and what not: only the PIN holder can read, create or delete an anchor,
 * and a token that enforces {@code CKA_MODIFIABLE} (SoftHSM2, HSMs) refuses to change one in place.
 * Nothing stops the PIN holder from deleting an anchor and importing another under the same label.
 * tpm2-pkcs11 keeps the objects in its on-disk store, guarded by the PIN and file permissions
 * rather than by the TPM itself, and does not enforce {@code CKA_MODIFIABLE} ({@link
 * #tokenRefusesChanges}); {@code docs/threat-model.md} says what follows.
 */
public final class TrustAnchors {
  /** {@code CKA_APPLICATION} of trust anchor data objects. */
  public static final String APPLICATION = "graft:trust-anchor";

  /** Larger anchors are refused: a root file with dozens of composite keys stays far below. */
  public static final int MAX_BYTES = 512 * 1024;

  private TrustAnchors() {}

  /**
   * Stores a public key as the trust anchor {@code label}, in the form of a public key file.
   *
   * @throws Pkcs11Exception when an anchor or other data object already has the label, the key's
   *     type is unknown to Graft, or the token refuses a non-modifiable object
   */
  public static TrustAnchor importPublicKey(TokenSession session, String label, TufKey key) {
    if (key.type().isEmpty()) {
      throw new Pkcs11Exception(
          "trust anchor '"
              + label
              + "': Graft does not know keys of keytype \""
              + key.keyType()
              + "\" and scheme \""
              + key.scheme()
              + "\"");
    }
    return store(session, label, PublicKeyFile.encode(key));
  }

  /**
   * Stores a root metadata file, byte for byte, as the trust anchor {@code label}. The file must be
   * root metadata that is signed by a threshold of its own root keys (as a TUF client checks a
   * trusted root), so that a wrong or damaged file is refused before it becomes an anchor.
   *
   * @throws Pkcs11Exception when the bytes are not such a root, or as for {@link #importPublicKey}
   */
  public static TrustAnchor importRootMetadata(TokenSession session, String label, byte[] root) {
    requireSize(label, root);
    try {
      SignedMetadata<Root> parsed = SignedMetadata.parseRoot(root, JsonParser.withDefaults());
      Role role = parsed.signed().role(RoleType.ROOT);
      Thresholds.check(parsed, "root", parsed.signed().keys(), role.keyIds(), role.threshold());
    } catch (TrustException e) {
      throw new Pkcs11Exception(
          "trust anchor '"
              + label
              + "': not a root metadata file that signs itself: "
              + e.getMessage(),
          e);
    }
    return store(session, label, root);
  }

  /**
   * The trust anchor {@code label}.
   *
   * @throws ObjectNotFoundException when the token has none (or the session is not logged in)
   * @throws Pkcs11Exception when several anchors have the label, or the anchor is modifiable (not
   *     imported by Graft) or damaged
   */
  public static TrustAnchor read(TokenSession session, String label) {
    List<TokenDataObjects.Found> found =
        TokenDataObjects.find(session, APPLICATION).stream()
            .filter(anchor -> anchor.label().equals(label))
            .toList();
    if (found.isEmpty()) {
      throw new ObjectNotFoundException(
          session.token().where()
              + " has no trust anchor labelled '"
              + label
              + "'"
              + (session.isLoggedIn() ? "" : " visible without login (trust anchors need a PIN)"));
    }
    if (found.size() > 1) {
      throw new Pkcs11Exception(
          session.token().where()
              + " has "
              + found.size()
              + " trust anchors labelled '"
              + label
              + "'; Graft never makes two, so the token has been tampered with or edited by hand");
    }
    return checked(session, found.getFirst());
  }

  /** Every trust anchor on the token, in the token's order. */
  public static List<TrustAnchor> list(TokenSession session) {
    return TokenDataObjects.find(session, APPLICATION).stream()
        .map(anchor -> checked(session, anchor))
        .toList();
  }

  /**
   * Whether the token itself refuses to change {@code anchor}: asks it to set the anchor's label to
   * the label it already has, which a token that enforces {@code CKA_MODIFIABLE} false refuses.
   * SoftHSM2 refuses; tpm2-pkcs11 1.9 does not (it lets the PIN holder change any attribute of any
   * object, and writes changed labels and {@code CKA_MODIFIABLE} to its store), so there an anchor
   * is protected by the PIN and the store's file permissions only. {@link #read} refuses an anchor
   * whose {@code CKA_MODIFIABLE} has been switched on, on every token. Tools should run this check
   * at import and say plainly when it fails.
   *
   * @throws Pkcs11Exception when the token fails in another way
   */
  public static boolean tokenRefusesChanges(TokenSession session, TrustAnchor anchor) {
    try {
      session.setAttributes(anchor.object(), List.of(Attribute.of(CKA_LABEL, anchor.label())));
      return false;
    } catch (CkrException e) {
      if (e.is(Ckr.CKR_ACTION_PROHIBITED) || e.is(Ckr.CKR_ATTRIBUTE_READ_ONLY)) {
        return true;
      }
      throw e;
    }
  }

  private static TrustAnchor store(TokenSession session, String label, byte[] content) {
    requireSize(label, content);
    if (label.isBlank()) {
      throw new Pkcs11Exception("a trust anchor needs a label that is not blank");
    }
    String where = session.token().where();
    List<TokenObject> existing = session.find(ObjectQuery.all().ofClass(CKO_DATA).withLabel(label));
    if (!existing.isEmpty()) {
      boolean anchor =
          TokenDataObjects.find(session, APPLICATION).stream()
              .anyMatch(found -> found.label().equals(label));
      throw new Pkcs11Exception(
          where
              + (anchor
                  ? " already has a trust anchor labelled '"
                      + label
                      + "'; anchors are never replaced in place: import under a new label, or"
                      + " delete the old anchor deliberately first"
                  : " already has a data object labelled '"
                      + label
                      + "' that is not a trust anchor; choose another label"));
    }
    TokenObject object = TokenDataObjects.create(session, label, APPLICATION, content, true);
    try {
      TrustAnchor stored =
          checked(session, new TokenDataObjects.Found(object, label, readValue(session, object)));
      if (!Arrays.equals(stored.content(), content)) {
        throw new Pkcs11Exception(
            where + " returned other bytes for trust anchor '" + label + "' than were stored");
      }
      return stored;
    } catch (RuntimeException e) {
      try {
        session.destroy(object);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /** Decodes an anchor and refuses one the token would let anyone with the PIN rewrite. */
  private static TrustAnchor checked(TokenSession session, TokenDataObjects.Found found) {
    String where = session.token().where() + ": trust anchor '" + found.label() + "'";
    Optional<Boolean> modifiable = session.booleanAttribute(found.object(), CKA_MODIFIABLE);
    if (modifiable.orElse(true)) {
      throw new Pkcs11Exception(
          where
              + (modifiable.isPresent()
                  ? " is modifiable (CKA_MODIFIABLE true), so it was not imported by Graft;"
                  : " does not say whether it can be modified (no CKA_MODIFIABLE);")
              + " refusing to trust it: delete it and import the anchor again with Graft");
    }
    return TrustAnchor.decode(found.label(), found.value(), found.object(), where);
  }

  private static byte[] readValue(TokenSession session, TokenObject object) {
    return session
        .attribute(object, CKA_VALUE)
        .orElseThrow(() ->
            new Pkcs11Exception(
                session.token().where() + " does not return the value of a new trust anchor"));
  }

  private static void requireSize(String label, byte[] content) {
    if (content.length > MAX_BYTES) {
      throw new Pkcs11Exception(
          "trust anchor '"
              + label
              + "' is "
              + content.length
              + " bytes; anchors are at most "
              + MAX_BYTES
              + " bytes");
    }
  }
}
