package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.KeyFileException;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.Verifiers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyRefTest {
  private static final String PASSPHRASE = "correct horse battery staple";
  private static final SecretReader SECRETS =
      new SecretReader(Map.of("GRAFT_PASSPHRASE", PASSPHRASE), SecretPrompt.none());
  private static final SecretSource FROM_ENV = new SecretSource.FromEnvironment("GRAFT_PASSPHRASE");
  private static final byte[] MESSAGE = "{\"signed\":{}}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  /** A token layer stand-in: hands out one software key and records what it was asked for. */
  private static final class FakeTokens implements TokenKeyLoader {
    final List<KeyRef.Pkcs11KeyRef> asked = new ArrayList<>();
    final SoftwareKey key = SoftwareKey.generate(KeyType.ECDSA_P256);

    @Override
    public Signer signer(KeyRef.Pkcs11KeyRef ref) {
      asked.add(ref);
      return key;
    }
  }

  private Path privateKeyFile(SoftwareKey key, String name) throws IOException {
    Path file = dir.resolve(name);
    Files.write(
        file, PrivateKeyFile.encrypt(key, PASSPHRASE.toCharArray(), PrivateKeyFile.MIN_ITERATIONS));
    return file;
  }

  @Test
  void parse_pkcs11Uri_givesATokenReference() {
    KeyRef ref =
        KeyRef.parse(
            "pkcs11:token=graft;object=root-1?module-path=/usr/lib/softhsm/libsofthsm2.so");

    assertThat(ref)
        .isInstanceOfSatisfying(
            KeyRef.Pkcs11KeyRef.class,
            token -> {
              assertThat(token.uri().token()).contains("graft");
              assertThat(token.uri().object()).contains("root-1");
            });
  }

  @Test
  void parse_upperCaseScheme_givesATokenReference() {
    assertThat(KeyRef.parse("PKCS11:token=graft;object=root-1"))
        .isInstanceOf(KeyRef.Pkcs11KeyRef.class);
  }

  @Test
  void parse_uriNamingNoKey_isRefused() {
    assertThatThrownBy(() -> KeyRef.parse("pkcs11:token=graft"))
        .isInstanceOf(Pkcs11UriException.class)
        .hasMessageEndingWith("and it has no object= (or id=) to pick the key on the token");
  }

  @Test
  void parse_malformedUri_isRefused() {
    assertThatThrownBy(() -> KeyRef.parse("pkcs11:token=graft;objet=root-1"))
        .isInstanceOf(Pkcs11UriException.class)
        .hasMessageContaining("unknown attribute \"objet\" at character 20");
  }

  @Test
  void parse_keyFileNames_tellPrivateFromPublic() {
    assertThat(KeyRef.parse("keys/release-1.pem"))
        .isEqualTo(new KeyRef.FileKeyRef(Path.of("keys/release-1.pem")))
        .isInstanceOfSatisfying(
            KeyRef.FileKeyRef.class,
            file -> {
              assertThat(file.kind()).isEqualTo(KeyRef.FileKeyRef.Kind.PRIVATE_KEY);
              assertThat(file.isPrivate()).isTrue();
              assertThat(file.isPublic()).isFalse();
            });
    assertThat(KeyRef.parse("/etc/graft/root-1.pub.json"))
        .isInstanceOfSatisfying(
            KeyRef.FileKeyRef.class, file -> assertThat(file.isPublic()).isTrue());
    assertThat(KeyRef.parse("root-1.json"))
        .isInstanceOfSatisfying(
            KeyRef.FileKeyRef.class, file -> assertThat(file.isPublic()).isTrue());
    assertThat(KeyRef.parse("ROOT-1.PEM"))
        .isInstanceOfSatisfying(
            KeyRef.FileKeyRef.class, file -> assertThat(file.isPrivate()).isTrue());
    assertThat(KeyRef.parse("./pkcs11:odd.pem")).isInstanceOf(KeyRef.FileKeyRef.class);
  }

  @Test
  void parse_fileOfUnknownKind_isRefused() {
    assertThatThrownBy(() -> KeyRef.parse("keys/release-1.key"))
        .isInstanceOf(KeyFileException.class)
        .hasMessage(
            "cannot tell what key file keys/release-1.key holds: a private key file's name ends in"
                + " .pem, a public key file's in .pub.json (or .json)");
  }

  @Test
  void parse_empty_isRefused() {
    assertThatThrownBy(() -> KeyRef.parse(""))
        .isInstanceOf(KeyFileException.class)
        .hasMessage("empty key reference: give a key file (.pem or .pub.json) or a pkcs11: URI");
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyType.class,
      names = {"ED25519", "ECDSA_P256", "MLDSA65_ED25519"})
  void loadSigner_encryptedPem_signsWithTheKeyInIt(KeyType type) throws IOException {
    SoftwareKey key = SoftwareKey.generate(type);
    Path file = privateKeyFile(key, "release-1.pem");

    Signer signer =
        ((KeyRef.FileKeyRef) KeyRef.parse(file.toString())).loadSigner(SECRETS, FROM_ENV);

    assertThat(signer.publicKey()).isEqualTo(key.publicKey());
    assertThat(
            Verifiers.forKey(key.publicKey()).orElseThrow().verify(MESSAGE, signer.sign(MESSAGE)))
        .isTrue();
  }

  @Test
  void loadSigner_passphraseFromFile_isRead() throws IOException {
    SoftwareKey key = SoftwareKey.generate(KeyType.ED25519);
    Path file = privateKeyFile(key, "release-1.pem");
    Path passphrase = dir.resolve("passphrase");
    Files.writeString(passphrase, PASSPHRASE + "\n");
    Files.setPosixFilePermissions(passphrase, PosixFilePermissions.fromString("rw-------"));

    Signer signer =
        new KeyRef.FileKeyRef(file)
            .loadSigner(SECRETS, SecretSource.parse("file:" + passphrase), key.publicKey());

    assertThat(signer.keyId()).isEqualTo(key.keyId());
  }

  @Test
  void loadSigner_expectingAnotherKey_isRefused() throws IOException {
    SoftwareKey key = SoftwareKey.generate(KeyType.ED25519);
    SoftwareKey other = SoftwareKey.generate(KeyType.ED25519);
    Path file = privateKeyFile(key, "release-1.pem");

    assertThatThrownBy(
            () -> new KeyRef.FileKeyRef(file).loadSigner(SECRETS, FROM_ENV, other.publicKey()))
        .isInstanceOf(KeyFileException.class)
        .hasMessage(
            file
                + " holds key "
                + key.keyId()
                + ", not the expected key "
                + other.keyId()
                + ": the file is damaged or belongs to another key");
  }

  @Test
  void loadSigner_wrongPassphrase_isRefused() throws IOException {
    Path file = privateKeyFile(SoftwareKey.generate(KeyType.ED25519), "release-1.pem");
    SecretReader wrong = new SecretReader(Map.of("GRAFT_PASSPHRASE", "wrong"), SecretPrompt.none());

    assertThatThrownBy(() -> new KeyRef.FileKeyRef(file).loadSigner(wrong, FROM_ENV))
        .isInstanceOf(KeyFileException.class)
        .hasMessage("cannot decrypt " + file + ": the passphrase is wrong or the file is damaged");
  }

  @Test
  void loadSigner_missingFile_isRefusedBeforeAskingForThePassphrase() {
    Path missing = dir.resolve("missing.pem");
    SecretReader noPassphrase = new SecretReader(Map.of(), SecretPrompt.none());

    assertThatThrownBy(() -> new KeyRef.FileKeyRef(missing).loadSigner(noPassphrase, FROM_ENV))
        .isInstanceOf(KeyFileException.class)
        .hasMessage("cannot read key file " + missing + ": there is no such file");
  }

  @Test
  void loadSigner_publicKeyFile_isRefused() {
    assertThatThrownBy(
            () -> new KeyRef.FileKeyRef(Path.of("root-1.pub.json")).loadSigner(SECRETS, FROM_ENV))
        .isInstanceOf(KeyFileException.class)
        .hasMessage(
            "root-1.pub.json is a public key file; signing needs a private key file (.pem)");
  }

  @Test
  void loadPublicKey_publicKeyFile_givesTheKey() throws IOException {
    SoftwareKey key = SoftwareKey.generate(KeyType.ECDSA_P256);
    Path file = dir.resolve("release-1.pub.json");
    Files.write(file, PublicKeyFile.encode(key.publicKey()));

    assertThat(new KeyRef.FileKeyRef(file).loadPublicKey()).isEqualTo(key.publicKey());
  }

  @Test
  void loadPublicKey_privateKeyFile_isRefused() {
    assertThatThrownBy(() -> new KeyRef.FileKeyRef(Path.of("release-1.pem")).loadPublicKey())
        .isInstanceOf(KeyFileException.class)
        .hasMessage(
            "release-1.pem is a private key file (.pem); a public key file (.pub.json) is needed"
                + " here");
  }

  @Test
  void signer_tokenReference_goesToTheTokenLoader() {
    FakeTokens tokens = new FakeTokens();
    KeyRef ref = KeyRef.parse("pkcs11:token=graft;object=targets-1");

    Signer signer = ref.signer(tokens, SECRETS, FROM_ENV);

    assertThat(signer).isSameAs(tokens.key);
    assertThat(tokens.asked).containsExactly((KeyRef.Pkcs11KeyRef) ref);
  }

  @Test
  void signer_fileReference_isReadWithoutTheTokenLoader() throws IOException {
    FakeTokens tokens = new FakeTokens();
    SoftwareKey key = SoftwareKey.generate(KeyType.ED25519);
    KeyRef ref = KeyRef.parse(privateKeyFile(key, "release-1.pem").toString());

    Signer signer = ref.signer(tokens, SECRETS, FROM_ENV);

    assertThat(signer.publicKey()).isEqualTo(key.publicKey());
    assertThat(tokens.asked).isEmpty();
  }
}
