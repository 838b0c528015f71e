package dev.graft.signer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.KeyFileException;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.pkcs11.Pkcs11Module;
import dev.graft.pkcs11.SecretReader;
import dev.graft.pkcs11.SecretSource;
import dev.graft.pkcs11.SoftHsmToken;
import dev.graft.pkcs11.TokenCompositeKey;
import dev.graft.pkcs11.TokenSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class KeySourceTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-keysource");

  private static final byte[] MESSAGE = "sign me".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  @Test
  void signer_encryptedKeyFileWithEnvPassphrase_signsVerifiably() throws Exception {
    SoftwareKey key = SoftwareKey.generate(KeyType.ED25519);
    Path file = dir.resolve("alice.pem");
    Files.write(file, PrivateKeyFile.encrypt(key, "correct horse".toCharArray(), 10_000));

    try (KeySource keys = keySource(Map.of("PASS", "correct horse"))) {
      Signer signer = keys.signer(file.toString(), SecretSource.parse("env:PASS"));

      assertThat(signer.publicKey()).isEqualTo(key.publicKey());
      assertThat(
              Verifiers.forKey(key.publicKey()).orElseThrow().verify(MESSAGE, signer.sign(MESSAGE)))
          .isTrue();
    }
  }

  @Test
  void signer_wrongPassphrase_isRefusedNamingTheFile() throws Exception {
    SoftwareKey key = SoftwareKey.generate(KeyType.ED25519);
    Path file = dir.resolve("alice.pem");
    Files.write(file, PrivateKeyFile.encrypt(key, "correct horse".toCharArray(), 10_000));

    try (KeySource keys = keySource(Map.of("PASS", "Tr0ub4dor&3"))) {
      assertThatThrownBy(() -> keys.signer(file.toString(), SecretSource.parse("env:PASS")))
          .isInstanceOf(KeyFileException.class)
          .hasMessageContaining("alice.pem")
          .hasMessageNotContaining("Tr0ub4dor");
    }
  }

  @Test
  void publicKey_publicKeyFile_readsWithoutSecrets() throws Exception {
    TufKey key = SoftwareKey.generate(KeyType.MLDSA65_ED25519).publicKey();
    Path file = dir.resolve("bob.pub.json");
    Files.write(file, PublicKeyFile.encode(key));

    try (KeySource keys = keySource(Map.of())) {
      assertThat(keys.publicKey(file.toString(), new SecretSource.FromPrompt())).isEqualTo(key);
      assertThat(keys.publicKeyFile(file.toString())).isEqualTo(key);
    }
  }

  @Test
  void signer_tokenCompositeKeyByUri_signsOnTheToken() {
    TufKey expected;
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      expected = TokenCompositeKey.generate(session, "carol").publicKey();
    }
    String uri =
        "pkcs11:token="
            + TOKEN.label()
            + ";object=carol;type=private?module-path="
            + TOKEN.modulePath()
            + "&pin-source=env:PIN";

    try (KeySource keys = keySource(Map.of("PIN", TOKEN.userPinText()))) {
      Signer signer = keys.signer(uri, new SecretSource.FromPrompt());

      assertThat(signer.publicKey()).isEqualTo(expected);
      assertThat(Verifiers.forKey(expected).orElseThrow().verify(MESSAGE, signer.sign(MESSAGE)))
          .isTrue();
    }
  }

  @Test
  void signer_twoKeysOnOneToken_eachUriGetsItsOwnKey() {
    TufKey first;
    TufKey second;
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      first = TokenCompositeKey.generate(session, "holder-1").publicKey();
      second = TokenCompositeKey.generate(session, "holder-2").publicKey();
    }

    try (KeySource keys = keySource(Map.of("PIN", TOKEN.userPinText()))) {
      Signer one = keys.signer(tokenUri("holder-1"), new SecretSource.FromPrompt());
      Signer two = keys.signer(tokenUri("holder-2"), new SecretSource.FromPrompt());

      assertThat(one.publicKey()).isEqualTo(first);
      assertThat(two.publicKey()).isEqualTo(second);
      assertThat(Verifiers.forKey(second).orElseThrow().verify(MESSAGE, two.sign(MESSAGE)))
          .isTrue();
    }
  }

  private static String tokenUri(String label) {
    return "pkcs11:token="
        + TOKEN.label()
        + ";object="
        + label
        + ";type=private?module-path="
        + TOKEN.modulePath()
        + "&pin-source=env:PIN";
  }

  private static KeySource keySource(Map<String, String> environment) {
    return new KeySource(new SecretReader(environment, prompt -> Optional.empty()), null);
  }
}
