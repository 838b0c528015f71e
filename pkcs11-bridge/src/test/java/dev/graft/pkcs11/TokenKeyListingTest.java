package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Listing the keys of a SoftHSM2 token and exporting their public keys as TUF key objects. */
class TokenKeyListingTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-listing-test");

  private static TufKey ecdsaKey;
  private static TufKey compositeKey;
  private static TufKey ed25519Key;
  private static byte[] compositeId;

  private Pkcs11Module module;
  private TokenSession session;

  @BeforeAll
  static void makeKeys() throws Exception {
    // A P-384 key, which Graft does not use, made with OpenSC before the module is opened here.
    if (SoftHsmToken.onPath("pkcs11-tool")) {
      SoftHsmToken.ToolRun p384 =
          TOKEN.run(
              "pkcs11-tool",
              "--module",
              TOKEN.modulePath().toString(),
              "--token-label",
              TOKEN.label(),
              "--login",
              "--pin",
              TOKEN.userPinText(),
              "--keypairgen",
              "--key-type",
              "EC:secp384r1",
              "--label",
              "p384",
              "--id",
              "38");
      assertThat(p384.exitCode()).as(p384.output()).isZero();
    }
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      ecdsaKey = session.generateEcdsaP256KeyPair("release-ec").publicKey();
      TokenCompositeKey composite = TokenCompositeKey.generate(session, "targets-1");
      compositeKey = composite.publicKey();
      compositeId = composite.id();
      ed25519Key = session.generateEd25519KeyPair("half-only").publicKey();
    }
  }

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
  void of_tokenWithEachKind_listsEveryUsableKeyOnceWithItsPublicKey() {
    TokenKeyListing listing = TokenKeyListing.of(session);

    Map<String, ListedTokenKey> byLabel =
        listing.keys().stream()
            .collect(Collectors.toMap(ListedTokenKey::label, Function.identity()));
    assertThat(byLabel).containsOnlyKeys("release-ec", "targets-1", "half-only");

    ListedTokenKey ecdsa = byLabel.get("release-ec");
    assertThat(ecdsa.type()).isEqualTo(KeyType.ECDSA_P256);
    assertThat(ecdsa.publicKey()).isEqualTo(ecdsaKey);
    assertThat(ecdsa.storage()).isEqualTo("inside the token");

    ListedTokenKey composite = byLabel.get("targets-1");
    assertThat(composite.type()).isEqualTo(KeyType.MLDSA65_ED25519);
    assertThat(composite.publicKey()).isEqualTo(compositeKey);
    assertThat(composite.keyId()).isEqualTo(compositeKey.keyId());
    assertThat(composite.idHex()).isEqualTo(HexFormat.of().formatHex(compositeId));
    assertThat(composite.storage())
        .contains("ML-DSA-65 half stored wrapped")
        .contains("not an HSM-resident key");
    assertThat(PublicKeyFile.decode(bytes(composite.publicKeyJson()), "listing"))
        .isEqualTo(compositeKey);

    ListedTokenKey ed25519 = byLabel.get("half-only");
    assertThat(ed25519.type()).isEqualTo(KeyType.ED25519);
    assertThat(ed25519.publicKey()).isEqualTo(ed25519Key);
    assertThat(ed25519.storage()).contains("usable only as the Ed25519 half of a composite key");

    assertThat(listing.notes()).isEmpty();
  }

  @Test
  void of_p384KeyMadeByOpenSc_isSkippedWithTheReason() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        SoftHsmToken.onPath("pkcs11-tool"), "pkcs11-tool (Debian package opensc) is missing");

    TokenKeyListing listing = TokenKeyListing.of(session);

    assertThat(listing.skipped())
        .singleElement()
        .asString()
        .startsWith("private key 'p384' (id 38)")
        .contains("not on P-256");
  }

  @Test
  void render_showsLabelIdTypeKeyIdStorageAndTheKeyObject() {
    String text = TokenKeyListing.of(session).render();

    assertThat(text)
        .startsWith("token '" + TOKEN.label() + "' (serial ")
        .contains("label:   targets-1")
        .contains("id:      " + HexFormat.of().formatHex(compositeId))
        .contains("type:    mldsa65-ed25519")
        .contains("key id:  " + compositeKey.keyId())
        .contains("key id:  " + ecdsaKey.keyId())
        .contains(new String(PublicKeyFile.encode(ecdsaKey), StandardCharsets.UTF_8))
        .contains("decrypted into memory for each signature");
  }

  @Test
  void find_oneKey_exportsItsPublicKeyFile() {
    ListedTokenKey exported = TokenKeyListing.find(session, ObjectQuery.all().withId(compositeId));

    assertThat(exported.publicKeyJson())
        .isEqualTo(new String(PublicKeyFile.encode(compositeKey), StandardCharsets.UTF_8));
    assertThat(TokenKeyListing.find(session, ObjectQuery.all().withLabel("release-ec")).publicKey())
        .isEqualTo(ecdsaKey);
  }

  @Test
  void find_missingKey_saysWhatWasLookedFor() {
    assertThatThrownBy(() -> TokenKeyListing.find(session, ObjectQuery.all().withLabel("nope")))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("private key labelled 'nope'");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
