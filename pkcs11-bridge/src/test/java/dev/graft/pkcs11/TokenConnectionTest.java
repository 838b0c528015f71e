package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.graft.bundle.keys.Verifiers;
import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import dev.graft.pkcs11.internal.ModuleRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a token and a key from a PKCS#11 URI on SoftHSM2, and the bad input of the issue: wrong
 * PIN, missing token, missing object, a module path that is no PKCS#11 library, an unsupported
 * mechanism. Each error names the URI, never the PIN, and leaves the module closed.
 */
class TokenConnectionTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-uri-test");

  /** PKCS#11 3.2 {@code CKM_ML_DSA}, which SoftHSM2 2.6 lacks (field notes). */
  private static final long CKM_ML_DSA = 0x1DL;

  private static final String WRONG_PIN = "not-the-pin-5150";
  private static final PinSource NO_PROMPT =
      new PinSource(new SecretReader(Map.of(), SecretPrompt.none()));

  @TempDir Path work;

  @BeforeAll
  static void createKeys() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      session.generateEcdsaP256KeyPair("identity", new byte[] {0x11});
      session.generateEd25519KeyPair("half", new byte[] {0x22});
    }
  }

  @AfterEach
  void nothingLeftOpen() {
    assertThat(ModuleRegistry.users(TOKEN.modulePath())).as("module left open").isZero();
  }

  @Test
  void open_pinFromFile_signsWithTheKeyTheUriNames() throws IOException {
    Path pinFile = secretFile(TOKEN.userPinText());
    Pkcs11Uri uri =
        uri("pkcs11:token=graft-uri-test;object=identity;type=private?pin-source=file:" + pinFile);
    byte[] message = "report 17".getBytes(StandardCharsets.UTF_8);

    try (TokenConnection connection = TokenConnection.open(uri, NO_PROMPT)) {
      assertThat(connection.session().isLoggedIn()).isTrue();
      assertThat(connection.token().label()).isEqualTo(TOKEN.label());
      TokenEcdsaSigner signer = connection.ecdsaSigner();
      assertThat(signer.keyPair().id()).containsExactly(0x11);
      assertThat(
              Verifiers.forKey(signer.publicKey())
                  .orElseThrow()
                  .verify(message, signer.sign(message)))
          .isTrue();
    }
  }

  @Test
  void open_byIdAndSerial_findsTheSameKey() {
    String serial;
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath())) {
      serial = module.tokenLabelled(TOKEN.label()).serial();
    }
    Pkcs11Uri uri = uri("pkcs11:serial=" + serial + ";id=%11?pin-value=" + TOKEN.userPinText());
    try (TokenConnection connection = TokenConnection.open(uri, NO_PROMPT)) {
      assertThat(connection.keyPair().label()).isEqualTo("identity");
    }
  }

  @Test
  void open_wrongPin_isPinIncorrectNamingTheUriButNotThePin() {
    Pkcs11Uri uri = uri("pkcs11:token=graft-uri-test;object=identity?pin-value=" + WRONG_PIN);

    CkrException e =
        catchThrowableOfType(CkrException.class, () -> TokenConnection.open(uri, NO_PROMPT));

    assertThat(e.is(Ckr.CKR_PIN_INCORRECT)).isTrue();
    assertThat(e.getMessage())
        .startsWith("PKCS#11 URI pkcs11:token=graft-uri-test;object=identity?")
        .contains("pin-value=" + Pkcs11Uri.REDACTED)
        .contains(
            "token '" + TOKEN.label() + "'", "C_Login", "CKR_PIN_INCORRECT", "the PIN is wrong")
        .doesNotContain(WRONG_PIN)
        .doesNotContain(TOKEN.userPinText());
  }

  @Test
  void open_missingToken_namesTheUriAndListsTheTokens() {
    Pkcs11Uri uri = uri("pkcs11:token=no-such-token;object=identity?pin-value=1234");

    assertThatThrownBy(() -> TokenConnection.open(uri, NO_PROMPT))
        .isInstanceOf(TokenNotFoundException.class)
        .hasMessageContaining("PKCS#11 URI pkcs11:token=no-such-token;object=identity")
        .hasMessageContaining("has no token that matches")
        .hasMessageContaining("'" + TOKEN.label() + "'")
        .hasMessageNotContaining("1234");
  }

  @Test
  void keyPair_missingObject_namesTheUri() {
    Pkcs11Uri uri =
        uri("pkcs11:token=graft-uri-test;object=ghost?pin-value=" + TOKEN.userPinText());
    try (TokenConnection connection = TokenConnection.open(uri, NO_PROMPT)) {
      assertThatThrownBy(connection::ecdsaSigner)
          .isInstanceOf(ObjectNotFoundException.class)
          .hasMessageStartingWith("PKCS#11 URI pkcs11:token=graft-uri-test;object=ghost?")
          .hasMessageContaining("private key labelled 'ghost'")
          .hasMessageNotContaining(TOKEN.userPinText());
    }
  }

  @Test
  void ecdsaSigner_uriNamesAnEd25519Key_isRefusedNamingTheUri() {
    Pkcs11Uri uri = uri("pkcs11:token=graft-uri-test;object=half?pin-value=" + TOKEN.userPinText());
    try (TokenConnection connection = TokenConnection.open(uri, NO_PROMPT)) {
      assertThatThrownBy(connection::ecdsaSigner)
          .isInstanceOf(Pkcs11Exception.class)
          .hasMessageContaining("PKCS#11 URI pkcs11:token=graft-uri-test;object=half")
          .hasMessageContaining("not an ECDSA P-256 key");
    }
  }

  @Test
  void keyPair_uriNamesAPublicKeyOrNoKey_isRefused() {
    String pin = "?pin-value=" + TOKEN.userPinText();
    try (TokenConnection typed =
            TokenConnection.open(
                uri("pkcs11:token=graft-uri-test;object=identity;type=public" + pin), NO_PROMPT);
        TokenConnection bare =
            TokenConnection.open(uri("pkcs11:token=graft-uri-test" + pin), NO_PROMPT)) {
      assertThatThrownBy(typed::keyPair)
          .isInstanceOf(Pkcs11Exception.class)
          .hasMessageContaining("type public");
      assertThatThrownBy(bare::keyPair)
          .isInstanceOf(Pkcs11Exception.class)
          .hasMessageContaining("names no key");
    }
  }

  @Test
  void open_moduleThatIsNotPkcs11_namesTheUri() {
    Pkcs11Uri uri =
        Pkcs11Uri.parse(
            "pkcs11:token=graft-uri-test;object=identity?module-path=/lib/x86_64-linux-gnu/libc.so.6");

    assertThatThrownBy(() -> TokenConnection.open(uri, NO_PROMPT))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageStartingWith("PKCS#11 URI " + uri)
        .hasMessageContaining("not a PKCS#11 module");
  }

  @Test
  void open_noModulePath_saysHowToAddOne() {
    Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=graft-uri-test;object=identity");

    assertThatThrownBy(() -> TokenConnection.open(uri, NO_PROMPT))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("has no module-path")
        .hasMessageContaining("?module-path=");
  }

  @Test
  void open_pinFileMissing_namesTheUriAndClosesTheModule() {
    Path missing = work.resolve("no-pin-here");
    Pkcs11Uri uri = uri("pkcs11:token=graft-uri-test;object=identity?pin-source=file:" + missing);

    assertThatThrownBy(() -> TokenConnection.open(uri, NO_PROMPT))
        .isInstanceOf(SecretSourceException.class)
        .hasMessageStartingWith("PKCS#11 URI " + uri)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void sign_mlDsaOnATokenWithout_isMechanismInvalidNamingTheToken() {
    Pkcs11Uri uri =
        uri("pkcs11:token=graft-uri-test;object=identity?pin-value=" + TOKEN.userPinText());
    try (TokenConnection connection = TokenConnection.open(uri, NO_PROMPT)) {
      TokenKeyPair pair = connection.keyPair();
      assertThat(connection.token().advertises(CKM_ML_DSA)).isFalse();

      CkrException e =
          catchThrowableOfType(
              CkrException.class,
              () -> connection.session().sign(pair.privateObject(), CKM_ML_DSA, new byte[32]));

      assertThat(e.is(Ckr.CKR_MECHANISM_INVALID)).isTrue();
      assertThat(e.function()).isEqualTo("C_SignInit");
      assertThat(e.getMessage())
          .contains("token '" + TOKEN.label() + "'", "CKR_MECHANISM_INVALID (0x70)")
          .contains("the token does not support this mechanism");
    }
  }

  /** A URI for this class's token, with the module path added. */
  private static Pkcs11Uri uri(String text) {
    String separator = text.contains("?") ? "&" : "?";
    return Pkcs11Uri.parse(text + separator + "module-path=" + TOKEN.modulePath());
  }

  private Path secretFile(String secret) throws IOException {
    Path file =
        Files.createFile(
            work.resolve("pin"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(file, secret, StandardCharsets.UTF_8);
  }
}
