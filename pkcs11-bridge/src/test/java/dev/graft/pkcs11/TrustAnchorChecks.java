package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_APPLICATION;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_CLASS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_LABEL;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_MODIFIABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_PRIVATE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_TOKEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_VALUE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_DATA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.pkcs11.internal.Attribute;
import dev.graft.pkcs11.internal.CkrException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The trust anchor behaviour every token must show, run by {@link TrustAnchorsTest} on SoftHSM2 and
 * by {@link TrustAnchorsTpmTest} on tpm2-pkcs11. Each check takes a logged-in session and labels of
 * its own.
 */
final class TrustAnchorChecks {
  private TrustAnchorChecks() {}

  static void publicKey_importedAndReadBack_isTheSameKeyInANonModifiablePrivateObject(
      TokenSession session) {
    TufKey key = SoftwareKey.generate(KeyType.ECDSA_P256).publicKey();

    TrustAnchor imported = TrustAnchors.importPublicKey(session, "anchor-key", key);
    TrustAnchor read = TrustAnchors.read(session, "anchor-key");

    assertThat(read.kind()).isEqualTo(TrustAnchor.Kind.PUBLIC_KEY);
    assertThat(read.publicKey()).isEqualTo(key);
    assertThat(read.content()).isEqualTo(PublicKeyFile.encode(key));
    assertThat(read.object()).isEqualTo(imported.object());
    TokenObject object = read.object();
    assertThat(session.longAttribute(object, CKA_CLASS)).hasValue(CKO_DATA);
    assertThat(session.booleanAttribute(object, CKA_TOKEN)).contains(true);
    assertThat(session.booleanAttribute(object, CKA_PRIVATE)).contains(true);
    assertThat(session.booleanAttribute(object, CKA_MODIFIABLE)).contains(false);
    assertThat(session.attribute(object, CKA_APPLICATION))
        .hasValueSatisfying(value ->
            assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo("graft:trust-anchor"));
  }

  static void rootMetadata_importedAndReadBack_isByteForByteTheFile(TokenSession session) {
    byte[] root = selfSignedRoot(SoftwareKey.generate(KeyType.MLDSA65_ED25519), 4);

    TrustAnchors.importRootMetadata(session, "anchor-root", root);
    TrustAnchor read = TrustAnchors.read(session, "anchor-root");

    assertThat(read.kind()).isEqualTo(TrustAnchor.Kind.ROOT_METADATA);
    assertThat(read.content()).isEqualTo(root);
    assertThat(read.root().signed().version()).isEqualTo(4);
    assertThatThrownBy(read::publicKey).hasMessageContaining("holds root metadata");
  }

  static void setAttributeValue_onAnAnchor_isRefusedAndLeavesItUnchanged(TokenSession session) {
    TufKey key = SoftwareKey.generate(KeyType.ECDSA_P256).publicKey();
    TrustAnchor anchor = TrustAnchors.importPublicKey(session, "anchor-fixed", key);
    TufKey attackers = SoftwareKey.generate(KeyType.ECDSA_P256).publicKey();

    assertThatThrownBy(() ->
            session.setAttributes(
                anchor.object(), List.of(Attribute.of(CKA_VALUE, PublicKeyFile.encode(attackers)))))
        .isInstanceOf(CkrException.class)
        .hasMessageContaining("C_SetAttributeValue");
    assertThatThrownBy(() ->
            session.setAttributes(
                anchor.object(), List.of(Attribute.of(CKA_LABEL, "anchor-renamed"))))
        .isInstanceOf(CkrException.class);

    assertThat(TrustAnchors.read(session, "anchor-fixed").publicKey()).isEqualTo(key);
    assertThat(TrustAnchors.tokenRefusesChanges(session, anchor)).isTrue();
  }

  /**
   * tpm2-pkcs11 1.9 lets the PIN holder change attributes of an object created with {@code
   * CKA_MODIFIABLE} false, including that flag itself (and keeps the change in its store). Graft
   * says so ({@link TrustAnchors#tokenRefusesChanges}) and refuses an anchor whose flag was
   * switched on. If tpm2-pkcs11 starts enforcing the flag, this check fails: then the threat model
   * and docs/pkcs11.md can be made stronger.
   */
  static void setAttributeValue_onATokenThatDoesNotEnforceIt_isReportedAndAFlippedFlagIsRefused(
      TokenSession session) {
    TufKey key = SoftwareKey.generate(KeyType.ECDSA_P256).publicKey();
    TrustAnchor anchor = TrustAnchors.importPublicKey(session, "anchor-soft", key);

    assertThat(TrustAnchors.tokenRefusesChanges(session, anchor)).isFalse();
    session.setAttributes(anchor.object(), List.of(Attribute.of(CKA_MODIFIABLE, true)));

    assertThatThrownBy(() -> TrustAnchors.read(session, "anchor-soft"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("is modifiable (CKA_MODIFIABLE true)");
  }

  static void importing_aSecondAnchorUnderALabel_isRefused(TokenSession session) {
    TufKey first = SoftwareKey.generate(KeyType.ECDSA_P256).publicKey();
    TrustAnchors.importPublicKey(session, "anchor-once", first);
    int before = session.find(ObjectQuery.all()).size();

    assertThatThrownBy(() ->
            TrustAnchors.importPublicKey(
                session, "anchor-once", SoftwareKey.generate(KeyType.ECDSA_P256).publicKey()))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("already has a trust anchor labelled 'anchor-once'");
    assertThat(session.find(ObjectQuery.all())).hasSize(before);
    assertThat(TrustAnchors.read(session, "anchor-once").publicKey()).isEqualTo(first);
  }

  static void rootNotSignedByItsOwnKeys_isRefusedAndNothingIsStored(TokenSession session) {
    Signer stranger = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
    byte[] root = rootSignedBy(SoftwareKey.generate(KeyType.MLDSA65_ED25519), stranger, 1);
    int before = session.find(ObjectQuery.all()).size();

    assertThatThrownBy(() -> TrustAnchors.importRootMetadata(session, "anchor-bad-root", root))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("not a root metadata file that signs itself");
    assertThat(session.find(ObjectQuery.all())).hasSize(before);
  }

  static void list_returnsEveryAnchor(TokenSession session) {
    TrustAnchors.importPublicKey(
        session, "anchor-list-1", SoftwareKey.generate(KeyType.ECDSA_P256).publicKey());
    TrustAnchors.importPublicKey(
        session, "anchor-list-2", SoftwareKey.generate(KeyType.ED25519).publicKey());

    assertThat(TrustAnchors.list(session))
        .extracting(TrustAnchor::label)
        .contains("anchor-list-1", "anchor-list-2");
  }

  static byte[] selfSignedRoot(Signer key, long version) {
    return rootSignedBy(key, key, version);
  }

  /** A root listing {@code listed} for every role, signed by {@code signer}. */
  static byte[] rootSignedBy(Signer listed, Signer signer, long version) {
    Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
    for (RoleType role : RoleType.values()) {
      roles.put(role, Role.of(List.of(listed.keyId()), 1));
    }
    Root root =
        new Root(
            Signed.SPEC_VERSION,
            version,
            Instant.parse("2030-01-01T00:00:00Z"),
            true,
            Map.of(listed.keyId(), listed.publicKey()),
            roles,
            JsonObject.empty());
    return SignedMetadata.sign(root, List.of(signer)).toBytes();
  }
}
