package dev.graft.pkcs11;

import dev.graft.pkcs11.testing.NativeEnvironment;
import dev.graft.pkcs11.testing.SoftwareTpm;
import dev.graft.pkcs11.testing.SoftwareTpmToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Trust anchors in a software TPM through tpm2-pkcs11, as on a gateway: the same checks as {@link
 * TrustAnchorsTest}. tpm2-pkcs11 keeps data objects in its store, not in the TPM (see {@code
 * docs/threat-model.md}).
 */
@SoftwareTpmToken(label = "graft-anchors", userPin = "anchor-user-1")
class TrustAnchorsTpmTest {
  private Pkcs11Module module;
  private TokenSession session;

  @BeforeEach
  void openToken(SoftwareTpm tpm) {
    NativeEnvironment.setAll(tpm.environment());
    module = Pkcs11Module.open(tpm.modulePath());
    try {
      session = module.tokenLabelled(tpm.tokenLabel()).openSession();
      session.login(tpm.userPin().toCharArray());
    } catch (RuntimeException e) {
      module.close();
      throw e;
    }
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
  void setAttributeValue_tpm2Pkcs11DoesNotEnforceIt_isReportedAndAFlippedFlagIsRefused() {
    TrustAnchorChecks
        .setAttributeValue_onATokenThatDoesNotEnforceIt_isReportedAndAFlippedFlagIsRefused(session);
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
}
