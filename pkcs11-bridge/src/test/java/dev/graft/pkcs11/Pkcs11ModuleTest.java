package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKF_SIGN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_AES_GCM;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_AES_KEY_GEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_ECDSA;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_EC_EDWARDS_KEY_PAIR_GEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_EC_KEY_PAIR_GEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKM_EDDSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import dev.graft.pkcs11.internal.Cryptoki;
import dev.graft.pkcs11.internal.LibraryDescription;
import dev.graft.pkcs11.internal.ModuleRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Loading modules, finding tokens and logging in, against a real SoftHSM2 token. */
class Pkcs11ModuleTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-module-test");

  @Test
  void open_softHsm_describesTheLibraryAndFinalisesOnClose() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath())) {
      LibraryDescription description = module.description();
      assertThat(description.manufacturer()).isEqualTo("SoftHSM");
      assertThat(description.cryptokiVersion()).startsWith("2.");
      assertThat(ModuleRegistry.users(TOKEN.modulePath())).isEqualTo(1);
    }
    assertThat(ModuleRegistry.users(TOKEN.modulePath())).isZero();
  }

  @Test
  void open_twiceInOneProcess_sharesOneInitialisationUntilTheLastClose() {
    try (Pkcs11Module first = Pkcs11Module.open(TOKEN.modulePath())) {
      try (Pkcs11Module second = Pkcs11Module.open(TOKEN.modulePath())) {
        assertThat(ModuleRegistry.users(TOKEN.modulePath())).isEqualTo(2);
        assertThat(second.tokenLabelled(TOKEN.label()).label()).isEqualTo(TOKEN.label());
      }
      // The first user's module is still initialised: C_Finalize waits for the last close.
      assertThat(first.tokenLabelled(TOKEN.label()).label()).isEqualTo(TOKEN.label());
    }
    assertThat(ModuleRegistry.users(TOKEN.modulePath())).isZero();
  }

  @Test
  void open_afterClose_initialisesAgain() {
    for (int round = 0; round < 3; round++) {
      try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
          TokenSession session = TOKEN.openLoggedIn(module)) {
        assertThat(session.isLoggedIn()).isTrue();
      }
    }
  }

  @Test
  void close_lastUser_callsCFinalize() {
    Cryptoki cryptoki = ModuleRegistry.acquire(TOKEN.modulePath());
    assertThat(cryptoki.slots(true)).isNotEmpty();
    ModuleRegistry.release(cryptoki);

    // Only a finalised module answers CKR_CRYPTOKI_NOT_INITIALIZED.
    CkrException e = catchThrowableOfType(CkrException.class, () -> cryptoki.slots(true));
    assertThat(e.is(Ckr.CKR_CRYPTOKI_NOT_INITIALIZED)).isTrue();
  }

  @Test
  void close_twice_isHarmless() {
    Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
    module.close();
    module.close();
    assertThat(ModuleRegistry.users(TOKEN.modulePath())).isZero();
    assertThatThrownBy(module::tokens)
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void close_module_closesItsOpenSessions() {
    TokenSession session;
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath())) {
      session = module.tokenLabelled(TOKEN.label()).openSession();
    }
    assertThatThrownBy(() -> session.find(ObjectQuery.all()))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("closed");
  }

  @Test
  void tokenLabelled_softHsmToken_describesIt() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath())) {
      Token token = module.tokenLabelled(TOKEN.label());
      assertThat(token.label()).isEqualTo(TOKEN.label());
      assertThat(token.manufacturer()).isEqualTo("SoftHSM project");
      assertThat(token.model()).isEqualTo("SoftHSM v2");
      assertThat(token.serial()).isNotBlank();
      assertThat(token.initialized()).isTrue();
      assertThat(token.loginRequired()).isTrue();
      assertThat(module.tokenWithSerial(token.serial()).slotId()).isEqualTo(token.slotId());
      assertThat(module.tokenInSlot(token.slotId()).label()).isEqualTo(TOKEN.label());
    }
  }

  @Test
  void mechanisms_softHsm_offersWhatGraftNeeds() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath())) {
      Token token = module.tokenLabelled(TOKEN.label());
      assertThat(token.mechanisms())
          .contains(
              CKM_ECDSA,
              CKM_EDDSA,
              CKM_AES_GCM,
              CKM_EC_KEY_PAIR_GEN,
              CKM_EC_EDWARDS_KEY_PAIR_GEN,
              CKM_AES_KEY_GEN);
      assertThat(token.advertises(CKM_EDDSA)).isTrue();
      assertThat(token.advertises(0x1D)).as("SoftHSM2 2.6 has no CKM_ML_DSA").isFalse();
      assertThat(token.capabilities(CKM_ECDSA)).hasValueSatisfying(c -> c.can(CKF_SIGN));
      assertThat(token.capabilities(CKM_ECDSA).orElseThrow().maxKeySize()).isGreaterThan(255);
      assertThat(token.capabilities(0x1D)).isEmpty();
    }
  }

  @Test
  void tokenLabelled_missingLabel_namesTheLabelAndListsTheTokens() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath())) {
      assertThatThrownBy(() -> module.tokenLabelled("no-such-token"))
          .isInstanceOf(TokenNotFoundException.class)
          .hasMessageContaining("no token labelled 'no-such-token'")
          .hasMessageContaining("'" + TOKEN.label() + "'")
          .hasMessageContaining(TOKEN.modulePath().toString());
    }
  }

  @Test
  void login_wrongPin_isPinIncorrectWithoutThePin() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = module.tokenLabelled(TOKEN.label()).openSession()) {
      String wrong = "wrong-pin-31337";
      char[] pin = wrong.toCharArray();
      CkrException e = catchThrowableOfType(CkrException.class, () -> session.login(pin));
      assertThat(e.is(Ckr.CKR_PIN_INCORRECT)).isTrue();
      assertThat(e.code()).isEqualTo(0xA0);
      assertThat(e.function()).isEqualTo("C_Login");
      assertThat(e.getMessage())
          .contains("CKR_PIN_INCORRECT", "the PIN is wrong", "token '" + TOKEN.label() + "'")
          .doesNotContain(wrong)
          .doesNotContain(TOKEN.userPinText());
      assertThat(pin).as("the PIN array is cleared").containsOnly('\0');
      assertThat(session.isLoggedIn()).isFalse();
    }
  }

  @Test
  void login_rightPin_clearsTheArray() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = module.tokenLabelled(TOKEN.label()).openSession()) {
      char[] pin = TOKEN.userPin();
      session.login(pin);
      assertThat(session.isLoggedIn()).isTrue();
      assertThat(pin).containsOnly('\0');
    }
  }

  @Test
  void open_fileThatIsNotALibrary_namesThePath(@TempDir Path dir) throws IOException {
    Path text = Files.writeString(dir.resolve("not-a-module.so"), "hello\n");
    assertThatThrownBy(() -> Pkcs11Module.open(text))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining(text.toRealPath().toString())
        .hasMessageContaining("cannot be loaded as a shared library");
  }

  @Test
  void open_etcHostname_namesThePath() {
    Path hostname = Path.of("/etc/hostname");
    assertThatThrownBy(() -> Pkcs11Module.open(hostname))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("/etc/hostname")
        .hasMessageContaining("cannot be loaded as a shared library");
  }

  @Test
  void open_sharedLibraryWithoutCryptoki_saysItIsNotAPkcs11Module() {
    Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
    assertThatThrownBy(() -> Pkcs11Module.open(libc))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("libc.so.6")
        .hasMessageContaining("not a PKCS#11 module")
        .hasMessageContaining("C_GetFunctionList");
  }

  @Test
  void open_missingFile_saysThereIsNoSuchFile(@TempDir Path dir) {
    Path missing = dir.resolve("libnothing.so");
    assertThatThrownBy(() -> Pkcs11Module.open(missing))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("no such file");
  }
}
