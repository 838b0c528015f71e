package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.KeyFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** OpenSSL (the {@code openssl} command) agrees with Graft's Ed25519 signatures and key files. */
class OpensslInteropTest {
  private static final String PASSPHRASE = "openssl interop passphrase";
  private static final byte[] MESSAGE = "timestamp metadata".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  private static SoftwareKey ed25519;
  private static SoftwareKey ecdsa;
  private static SoftwareKey composite;

  @BeforeAll
  static void writeKeyFiles() throws IOException {
    ed25519 = SoftwareKey.generate(KeyType.ED25519);
    ecdsa = SoftwareKey.generate(KeyType.ECDSA_P256);
    composite = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
    write("ed25519.pem", ed25519);
    write("ecdsa.pem", ecdsa);
    write("composite.pem", composite);
  }

  private static void write(String name, SoftwareKey key) throws IOException {
    Files.write(
        dir.resolve(name),
        PrivateKeyFile.encrypt(key, PASSPHRASE.toCharArray(), PrivateKeyFile.MIN_ITERATIONS));
  }

  private static String ed25519PublicPem(SoftwareKey key) throws IOException {
    byte[] raw = HexFormat.of().parseHex(key.publicKey().publicValue());
    byte[] spki =
        new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.3.101.112")), raw)
            .getEncoded(ASN1Encoding.DER);
    return Pem.encode("PUBLIC KEY", spki);
  }

  @Test
  void opensslPkeyutl_verifiesGraftEd25519Signature_andRejectsTamperedMessage() throws Exception {
    Path publicKey = Files.writeString(dir.resolve("ed25519.pub.pem"), ed25519PublicPem(ed25519));
    Path message = Files.write(dir.resolve("message.bin"), MESSAGE);
    Path signature = Files.write(dir.resolve("message.sig"), ed25519.sign(MESSAGE));
    byte[] tamperedBytes = MESSAGE.clone();
    tamperedBytes[0] ^= 0x01;
    Path tampered = Files.write(dir.resolve("tampered.bin"), tamperedBytes);

    Result good =
        openssl(
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            publicKey.toString(),
            "-rawin",
            "-in",
            message.toString(),
            "-sigfile",
            signature.toString());
    Result bad =
        openssl(
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            publicKey.toString(),
            "-rawin",
            "-in",
            tampered.toString(),
            "-sigfile",
            signature.toString());

    assertThat(good.exitCode()).as(good.output()).isZero();
    assertThat(good.output()).contains("Signature Verified Successfully");
    assertThat(bad.exitCode()).as(bad.output()).isNotZero();
  }

  @Test
  void opensslPkey_readsGraftEd25519KeyFile_andDerivesTheSamePublicKey() throws Exception {
    Path file = dir.resolve("ed25519.pem");
    Result check =
        openssl("pkey", "-in", file.toString(), "-passin", "pass:" + PASSPHRASE, "-noout");
    Result pub =
        openssl("pkey", "-in", file.toString(), "-passin", "pass:" + PASSPHRASE, "-pubout");

    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(pub.output()).isEqualTo(ed25519PublicPem(ed25519));
  }

  @Test
  void opensslPkey_readsGraftEcdsaKeyFile_andDerivesTheSamePublicKey() throws Exception {
    Path file = dir.resolve("ecdsa.pem");
    Result check =
        openssl("pkey", "-in", file.toString(), "-passin", "pass:" + PASSPHRASE, "-noout");
    Result pub =
        openssl("pkey", "-in", file.toString(), "-passin", "pass:" + PASSPHRASE, "-pubout");

    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(pub.output()).isEqualTo(ecdsa.publicKey().publicValue());
  }

  @Test
  void opensslPkey_wrongPassphrase_fails() throws Exception {
    Result result =
        openssl(
            "pkey",
            "-in",
            dir.resolve("ed25519.pem").toString(),
            "-passin",
            "pass:wrong",
            "-noout");
    assertThat(result.exitCode()).isNotZero();
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void opensslAsn1parse_parsesTheEncryptedStructureOfEveryKeyFile(KeyType type) throws Exception {
    String name =
        switch (type) {
          case ED25519 -> "ed25519.pem";
          case ECDSA_P256 -> "ecdsa.pem";
          default -> "composite.pem";
        };
    Result result = openssl("asn1parse", "-in", dir.resolve(name).toString());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains(":PBES2")
        .contains(":PBKDF2")
        .contains(":hmacWithSHA256")
        .contains(":aes-256-cbc");
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyType.class,
      names = {"ED25519", "ECDSA_P256"})
  void decrypt_keyFileOpensslWrote_givesOpensslsKey(KeyType type) throws Exception {
    Path plain = dir.resolve("openssl-" + type + ".key");
    Path encrypted = dir.resolve("openssl-" + type + ".pem");
    Result generated =
        type == KeyType.ED25519
            ? openssl("genpkey", "-algorithm", "ed25519", "-out", plain.toString())
            : openssl(
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                plain.toString());
    Result converted =
        openssl(
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-v2prf",
            "hmacWithSHA256",
            "-iter",
            "20000",
            "-in",
            plain.toString(),
            "-passout",
            "pass:" + PASSPHRASE,
            "-out",
            encrypted.toString());
    Result pub = openssl("pkey", "-in", plain.toString(), "-pubout");
    assertThat(generated.exitCode()).as(generated.output()).isZero();
    assertThat(converted.exitCode()).as(converted.output()).isZero();

    SoftwareKey key =
        PrivateKeyFile.decrypt(
            Files.readAllBytes(encrypted), PASSPHRASE.toCharArray(), "openssl.pem");

    String expected =
        type == KeyType.ED25519 ? ed25519PublicPem(key) : key.publicKey().publicValue();
    assertThat(pub.output()).isEqualTo(expected);
    assertThat(Verifiers.forKey(key.publicKey()).orElseThrow().verify(MESSAGE, key.sign(MESSAGE)))
        .isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-v2 aes-256-cbc -v2prf hmacWithSHA1", "-v1 PBE-SHA1-3DES"})
  void decrypt_opensslFileWithOtherEncryption_refusesNamingWhatItDoesNotRead(String options)
      throws Exception {
    Path plain = dir.resolve("legacy.key");
    Path encrypted = dir.resolve("legacy.pem");
    List<String> command =
        new java.util.ArrayList<>(List.of("pkcs8", "-topk8", "-in", plain.toString()));
    command.addAll(List.of(options.split(" ")));
    command.addAll(List.of("-passout", "pass:" + PASSPHRASE, "-out", encrypted.toString()));
    assertThat(openssl("genpkey", "-algorithm", "ed25519", "-out", plain.toString()).exitCode())
        .isZero();
    Result converted = openssl(command.toArray(String[]::new));
    assertThat(converted.exitCode()).as(converted.output()).isZero();

    assertThatThrownBy(() ->
            PrivateKeyFile.decrypt(
                Files.readAllBytes(encrypted), PASSPHRASE.toCharArray(), "legacy.pem"))
        .isInstanceOf(KeyFileException.class)
        .hasMessageStartingWith("legacy.pem is encrypted with ")
        .hasMessageContaining("which Graft does not read");
  }

  private record Result(int exitCode, String output) {}

  private static Result openssl(String... arguments) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("openssl timed out: " + command);
    }
    return new Result(process.exitValue(), output);
  }
}
