package dev.graft.gateway.field;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.testing.DtlsTestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateCredentialTest {
  @TempDir static Path folder;
  private static DtlsTestPki.Issued gateway;
  private static DtlsTestPki.Issued other;

  @BeforeAll
  static void makePki() {
    DtlsTestPki pki = DtlsTestPki.in(folder).ca("site-ca");
    gateway = pki.gateway("gateway-7", "site-ca");
    other = pki.gateway("gateway-8", "site-ca");
  }

  @Test
  void fromPem_keyChainAndCa_readsAll() {
    CertificateCredential credential =
        CertificateCredential.fromPem(gateway.key(), gateway.certificate(), gateway.ca());

    assertThat(credential.chain()).hasSize(1);
    assertThat(credential.chain().getFirst().getSubjectX500Principal().getName())
        .isEqualTo("CN=gateway-7");
    assertThat(credential.trustAnchors().getFirst().getSubjectX500Principal().getName())
        .isEqualTo("CN=site-ca");
    assertThat(credential.privateKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void toString_namesSubjectsButNeverTheKey() throws Exception {
    CertificateCredential credential =
        CertificateCredential.fromPem(gateway.key(), gateway.certificate(), gateway.ca());
    String pem = Files.readString(gateway.key(), StandardCharsets.US_ASCII);
    String body = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    String encoded = Base64.getEncoder().encodeToString(credential.privateKey().getEncoded());

    assertThat(credential.toString())
        .contains("CN=gateway-7")
        .contains("CN=site-ca")
        .doesNotContain(body)
        .doesNotContain(encoded.substring(0, 40));
  }

  @Test
  void new_keyOfAnotherCertificate_refused() {
    CertificateCredential mine =
        CertificateCredential.fromPem(gateway.key(), gateway.certificate(), gateway.ca());
    CertificateCredential theirs =
        CertificateCredential.fromPem(other.key(), other.certificate(), other.ca());

    assertThatThrownBy(
            () -> new CertificateCredential(mine.privateKey(), theirs.chain(), mine.trustAnchors()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to the certificate CN=gateway-8");
  }

  @Test
  void new_noTrustAnchor_refusedRatherThanTrustingEveryone() {
    CertificateCredential credential =
        CertificateCredential.fromPem(gateway.key(), gateway.certificate(), gateway.ca());

    assertThatThrownBy(
            () -> new CertificateCredential(credential.privateKey(), credential.chain(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one trust anchor");
  }

  @Test
  void fromPem_missingFile_namesIt() {
    Path missing = folder.resolve("nope.key");

    assertThatThrownBy(
            () -> CertificateCredential.fromPem(missing, gateway.certificate(), gateway.ca()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("private key")
        .hasMessageContaining("nope.key")
        .hasMessageContaining("does not exist");
  }

  @Test
  void fromPem_worldReadableKey_refusedWithTheFix() throws Exception {
    Path key = folder.resolve("readable.key");
    Files.copy(gateway.key(), key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(
            () -> CertificateCredential.fromPem(key, gateway.certificate(), gateway.ca()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("private key " + key + " is readable by every user")
        .hasMessageContaining("chmod o-rwx " + key);
  }

  @Test
  void fromPem_groupReadableKey_accepted() throws Exception {
    Path key = folder.resolve("group.key");
    Files.copy(gateway.key(), key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));

    assertThat(CertificateCredential.fromPem(key, gateway.certificate(), gateway.ca()).chain())
        .hasSize(1);
  }

  @Test
  void fromPem_traditionalEcKey_saysHowToConvertWithoutEchoingIt() throws Exception {
    Path sec1 = folder.resolve("sec1.key");
    String secret = "MHcCAQEEIBuQzNotARealKeyButLooksLikeOne";
    Files.writeString(
        sec1, "-----BEGIN EC PRIVATE KEY-----\n" + secret + "\n-----END EC PRIVATE KEY-----\n");
    Files.setPosixFilePermissions(sec1, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(
            () -> CertificateCredential.fromPem(sec1, gateway.certificate(), gateway.ca()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openssl pkcs8 -topk8")
        .hasMessageNotContaining(secret);
  }

  @Test
  void fromPem_keyFileGivenAsChain_saysItHoldsNoCertificate() {
    assertThatThrownBy(
            () -> CertificateCredential.fromPem(gateway.key(), gateway.key(), gateway.ca()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("certificate chain")
        .hasMessageContaining(gateway.key().toString());
  }
}
