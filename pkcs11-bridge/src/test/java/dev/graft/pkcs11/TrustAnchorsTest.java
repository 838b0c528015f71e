package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.pkcs11.internal.Attribute;
import dev.graft.pkcs11.internal.CkrException;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Trust anchors on a SoftHSM2 token; {@link TrustAnchorsTpmTest} runs the same on a TPM. */
class TrustAnchorsTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-anchor-test");

  private Pkcs11Module module;
  private TokenSession session;

  @BeforeEach
  void openToken() {
    module = Pkcs11Module.open(TOKEN.modulePath());
    session = TOKEN.openLoggedIn(module);
  }

  @AfterEach
  void closeToken() {
    module.close();
  }

  @Test
  void publicKey_importedAndReadBack_isTheSameKeyInANonModifiablePrivateObject() {
    TrustAnchorChecks.publicKey_importedAndReadBack_isTheSameKeyInANonModifiablePrivateObject(
        session);
  }

  @Test
  void rootMetadata_importedAndReadBack_isByteForByteTheFile() {
    TrustAnchorChecks.rootMetadata_importedAndReadBack_isByteForByteTheFile(session);
  }

  @Test
  void setAttributeValue_onAnAnchor_isRefusedAndLeavesItUnchanged() {
    TrustAnchorChecks.setAttributeValue_onAnAnchor_isRefusedAndLeavesItUnchanged(session);
  }

  @Test
  void importing_aSecondAnchorUnderALabel_isRefused() {
    TrustAnchorChecks.importing_aSecondAnchorUnderALabel_isRefused(session);
  }

  @Test
  void rootNotSignedByItsOwnKeys_isRefusedAndNothingIsStored() {
    TrustAnchorChecks.rootNotSignedByItsOwnKeys_isRefusedAndNothingIsStored(session);
  }

  @Test
  void list_returnsEveryAnchor() {
    TrustAnchorChecks.list_returnsEveryAnchor(session);
  }

  @Test
  void setAttributeValue_softHsm_answersActionProhibited() {
    TrustAnchor anchor =
        TrustAnchors.importPublicKey(
            session, "anchor-code", SoftwareKey.generate(KeyType.ED25519).publicKey());

    assertThatThrownBy(() ->
            session.setAttributes(
                anchor.object(),
                List.of(Attribute.of(Pkcs11Constants.CKA_VALUE, new byte[] {'{', '}'}))))
        .isInstanceOfSatisfying(
            CkrException.class, e -> assertThat(e.codeName()).isEqualTo("CKR_ACTION_PROHIBITED"));
  }

  @Test
  void read_modifiableObjectWithTheAnchorApplication_isRefused() {
    // Made by hand (or by another tool) without CKA_MODIFIABLE false: not trusted as an anchor.
    TokenDataObjects.create(
        session,
        "anchor-by-hand",
        TrustAnchors.APPLICATION,
        PublicKeyFile.encode(SoftwareKey.generate(KeyType.ECDSA_P256).publicKey()),
        false);

    assertThatThrownBy(() -> TrustAnchors.read(session, "anchor-by-hand"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("is modifiable (CKA_MODIFIABLE true)")
        .hasMessageContaining("refusing to trust it");
  }

  @Test
  void read_missingAnchor_namesTheLabel() {
    assertThatThrownBy(() -> TrustAnchors.read(session, "anchor-nowhere"))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("has no trust anchor labelled 'anchor-nowhere'");
  }
}
