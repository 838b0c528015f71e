package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.pkcs11.KeyRef.Pkcs11KeyRef;
import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import dev.graft.pkcs11.internal.ModuleRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resolving {@code pkcs11:} key references to signers on a real SoftHSM2 token, and the errors a
 * user sees when the reference is wrong. Every test opens its own loader, so no login lingers from
 * one test to the next (a logged-in token would not check a wrong PIN).
 */
class Pkcs11KeyLoaderTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-loader-test");

  private static final byte[] MESSAGE = "{\"signed\":{}}".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path work;

  private static Path pinFile;
  private static TufKey ecdsaKey;
  private static TufKey compositeKey;
  private static byte[] compositeId;

  private final Pkcs11KeyLoader loader = new Pkcs11KeyLoader(PinSource.system());

  @BeforeAll
  static void makeKeys() throws IOException {
    pinFile = work.resolve("token-pin");
    Files.createFile(
        pinFile,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(pinFile, TOKEN.userPinText() + "\n");
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      ecdsaKey = session.generateEcdsaP256KeyPair("release-ec").publicKey();
      TokenCompositeKey composite = TokenCompositeKey.generate(session, "targets-1");
      compositeKey = composite.publicKey();
      compositeId = composite.id();
      session.generateEd25519KeyPair("half-only");
    }
  }

  @AfterEach
  void closeLoader() {
    loader.close();
    assertThat(ModuleRegistry.users(TOKEN.modulePath())).as("modules left open").isZero();
  }

  @Test
  void signer_ecdsaKeyByLabel_signsOnTheToken() {
    Signer signer = loader.signer(ref(uri().object("release-ec")));

    assertThat(signer).isInstanceOf(TokenEcdsaSigner.class);
    assertThat(signer.publicKey()).isEqualTo(ecdsaKey);
    assertThat(Verifiers.forKey(ecdsaKey).orElseThrow().verify(MESSAGE, signer.sign(MESSAGE)))
        .isTrue();
  }

  @Test
  void signer_compositeKeyById_signsAndSaysWhereItsHalvesLive() {
    Signer signer = loader.signer(ref(uri().id(compositeId).type(Pkcs11Uri.ObjectType.PRIVATE)));

    assertThat(signer).isInstanceOf(TokenCompositeSigner.class);
    assertThat(signer.publicKey()).isEqualTo(compositeKey);
    assertThat(Verifiers.forKey(compositeKey).orElseThrow().verify(MESSAGE, signer.sign(MESSAGE)))
        .isTrue();
    assertThat(signer.description()).contains("not an HSM-resident key");
  }

  @Test
  void signer_throughKeyRef_resolvesTokenReferencesWithTheLoader() {
    String text = uri().object("targets-1").build().toUriString();

    Signer signer =
        KeyRef.parse(text)
            .signer(loader, SecretReader.system(), SecretSource.parse("env:UNUSED_PASSPHRASE"));

    assertThat(signer.publicKey()).isEqualTo(compositeKey);
  }

  @Test
  void signer_twoKeysOnOneToken_shareTheLoadersSessionUntilItCloses() {
    Signer ecdsa = loader.signer(ref(uri().object("release-ec")));
    Signer composite = loader.signer(ref(uri().object("targets-1")));
    assertThat(loader.toString()).contains("1 open tokens");
    assertThat(ecdsa.publicKey()).isEqualTo(ecdsaKey);
    assertThat(composite.publicKey()).isEqualTo(compositeKey);

    loader.close();

    assertThatThrownBy(() -> ecdsa.sign(MESSAGE)).isInstanceOf(Pkcs11Exception.class);
    assertThatThrownBy(() -> composite.sign(MESSAGE)).isInstanceOf(Pkcs11Exception.class);
    assertThatThrownBy(() -> loader.signer(ref(uri().object("release-ec"))))
        .hasMessageContaining("the key loader is closed");
  }

  @Test
  void signer_plainEd25519Key_isRefusedAsOnlyACompositeHalf() {
    assertThatThrownBy(() -> loader.signer(ref(uri().object("half-only"))))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("object=half-only")
        .hasMessageContaining("is a plain Ed25519 key")
        .hasMessageContaining("only as the half of a composite mldsa65-ed25519 key");
  }

  @Test
  void signer_missingToken_namesTheUriButNotThePin() {
    Pkcs11KeyRef missing =
        ref(
            Pkcs11Uri.builder()
                .token("no-such-token")
                .object("release-ec")
                .modulePath(TOKEN.modulePath().toString())
                .pinValue("secret-pin-4711"));

    assertThatThrownBy(() -> loader.signer(missing))
        .isInstanceOf(TokenNotFoundException.class)
        .hasMessageContaining("PKCS#11 URI pkcs11:token=no-such-token;object=release-ec")
        .hasMessageContaining("pin-value=<redacted>")
        .hasMessageContaining("has no token that matches")
        .hasMessageNotContaining("secret-pin-4711");
  }

  @Test
  void signer_missingObject_namesTheUriAndWhatWasLookedFor() {
    assertThatThrownBy(() -> loader.signer(ref(uri().object("no-such-key"))))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("object=no-such-key")
        .hasMessageContaining("has no private key labelled 'no-such-key'");
  }

  @Test
  void signer_wrongPin_isPinIncorrectNamingTheUriButNotThePin() {
    Pkcs11KeyRef wrong =
        ref(
            Pkcs11Uri.builder()
                .token(TOKEN.label())
                .object("release-ec")
                .modulePath(TOKEN.modulePath().toString())
                .pinValue("wrong-pin-0000"));

    assertThatThrownBy(() -> loader.signer(wrong))
        .isInstanceOfSatisfying(
            CkrException.class, e -> assertThat(e.is(Ckr.CKR_PIN_INCORRECT)).isTrue())
        .hasMessageContaining("PKCS#11 URI pkcs11:token=" + TOKEN.label())
        .hasMessageContaining("C_Login returned CKR_PIN_INCORRECT")
        .hasMessageNotContaining("wrong-pin-0000");
  }

  @Test
  void signer_modulePathThatIsNotAPkcs11Library_saysSoAndNamesTheUri() {
    Pkcs11KeyRef libc =
        ref(
            Pkcs11Uri.builder()
                .token(TOKEN.label())
                .object("release-ec")
                .modulePath("/lib/x86_64-linux-gnu/libc.so.6"));

    assertThatThrownBy(() -> loader.signer(libc))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("PKCS#11 URI pkcs11:token=" + TOKEN.label())
        .hasMessageContaining("libc.so.6")
        .hasMessageContaining("not a PKCS#11 module");
  }

  @Test
  void signer_noModulePath_usesTheDefaultModuleOrSaysWhatIsMissing() {
    Pkcs11KeyRef bare =
        ref(
            Pkcs11Uri.builder()
                .token(TOKEN.label())
                .object("release-ec")
                .pinSource("file:" + pinFile));

    assertThatThrownBy(() -> loader.signer(bare))
        .hasMessageContaining("has no module-path")
        .hasMessageContaining("?module-path=");
    try (Pkcs11KeyLoader withDefault =
        new Pkcs11KeyLoader(PinSource.system(), TOKEN.modulePath())) {
      assertThat(withDefault.signer(bare).publicKey()).isEqualTo(ecdsaKey);
    }
  }

  @Test
  void signer_typePublic_isRefusedBecauseSigningNeedsThePrivateKey() {
    assertThatThrownBy(
            () -> loader.signer(ref(uri().object("release-ec").type(Pkcs11Uri.ObjectType.PUBLIC))))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("names an object of type public; signing needs the private key");
  }

  @Test
  void signer_serialThatDoesNotMatchTheLabelledToken_isRefused() {
    assertThatThrownBy(() -> loader.signer(ref(uri().object("release-ec").serial("0000"))))
        .isInstanceOf(TokenNotFoundException.class)
        .hasMessageContaining("has no token that matches; its tokens: '");
  }

  private static Pkcs11Uri.Builder uri() {
    return Pkcs11Uri.builder()
        .token(TOKEN.label())
        .modulePath(TOKEN.modulePath().toString())
        .pinSource("file:" + pinFile);
  }

  private static Pkcs11KeyRef ref(Pkcs11Uri.Builder uri) {
    return new Pkcs11KeyRef(uri.build());
  }
}
