package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code graft key export} and {@code graft key csr}: what they write parses back, with independent
 * parsers (the JDK, Bouncy Castle, OpenSSL), as the same key.
 */
class KeyExportTest {
  private static final String PASS = "exporting passphrase";

  @TempDir Path temp;

  private static GraftRun holder() {
    return graft().env("PASS", PASS);
  }

  private Path keyFile(String type, String name) {
    Path out = temp.resolve(name + ".pem");
    GraftRun.Result run =
        holder()
            .run(
                "key",
                "generate",
                "--type",
                type,
                "--out",
                out.toString(),
                "--passphrase=env:PASS",
                "--kdf-iterations=10000");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return out;
  }

  private SoftwareKey decrypt(Path pem) throws Exception {
    return PrivateKeyFile.decrypt(Files.readAllBytes(pem), PASS.toCharArray(), pem.toString());
  }

  private static byte[] pemBody(String pem, String label) {
    String body =
        pem.strip()
            .replace("-----BEGIN " + label + "-----", "")
            .replace("-----END " + label + "-----", "")
            .replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  @Test
  void export_tufToStdout_isThePublicKeyFile() throws Exception {
    Path pem = keyFile("composite", "alice");

    GraftRun.Result run = holder().run("key", "export", pem.toString(), "--passphrase=env:PASS");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    TufKey exported = PublicKeyFile.decode(run.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertThat(exported).isEqualTo(decrypt(pem).publicKey());
    assertThat(run.out()).isEqualTo(Files.readString(temp.resolve("alice.pub.json")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "ecdsa-p256"})
  void export_pem_jdkReadsItAndVerifiesTheKeysSignature(String type) throws Exception {
    Path pem = keyFile(type, "k-" + type);
    Path out = temp.resolve("k-" + type + ".spki.pem");

    GraftRun.Result run =
        holder()
            .run(
                "key",
                "export",
                pem.toString(),
                "--format",
                "pem",
                "--out",
                out.toString(),
                "--passphrase=env:PASS");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    boolean ed = type.equals("ed25519");
    PublicKey publicKey =
        KeyFactory.getInstance(ed ? "Ed25519" : "EC")
            .generatePublic(new X509EncodedKeySpec(pemBody(Files.readString(out), "PUBLIC KEY")));
    byte[] message = "signed by the exported key".getBytes(StandardCharsets.UTF_8);
    Signature verifier = Signature.getInstance(ed ? "Ed25519" : "SHA256withECDSA");
    verifier.initVerify(publicKey);
    verifier.update(message);
    assertThat(verifier.verify(decrypt(pem).sign(message))).isTrue();
  }

  @Test
  void export_both_compositeSpkiCarriesTheDraftOidAndTheKey() throws Exception {
    Path pem = keyFile("composite", "carol");
    Path base = temp.resolve("out/carol");

    GraftRun.Result run =
        holder()
            .run(
                "key",
                "export",
                pem.toString(),
                "--format=both",
                "--out",
                base.toString(),
                "--passphrase=env:PASS");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    TufKey key = decrypt(pem).publicKey();
    assertThat(PublicKeyFile.decode(Files.readAllBytes(temp.resolve("out/carol.pub.json")), "json"))
        .isEqualTo(key);
    SubjectPublicKeyInfo spki =
        SubjectPublicKeyInfo.getInstance(
            pemBody(Files.readString(temp.resolve("out/carol.pub.pem")), "PUBLIC KEY"));
    assertThat(spki.getAlgorithm().getAlgorithm().getId()).isEqualTo("1.3.6.1.5.5.7.6.48");
    assertThat(HexFormat.of().formatHex(spki.getPublicKeyData().getOctets()))
        .isEqualTo(key.publicValue());
  }

  @Test
  void export_bothWithoutOut_refused() throws Exception {
    Path pem = keyFile("ed25519", "dave");

    GraftRun.Result run =
        holder().run("key", "export", pem.toString(), "--format=both", "--passphrase=env:PASS");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("--format both writes two files; give --out BASE");
  }

  @Test
  void export_wrongPassphrase_refusedNamingTheFile() throws Exception {
    Path pem = keyFile("ed25519", "erin");

    GraftRun.Result run =
        graft().env("PASS", "not it").run("key", "export", pem.toString(), "--passphrase=env:PASS");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("cannot decrypt " + pem).contains("passphrase is wrong");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ecdsa-p256", "ed25519"})
  void csr_parsesAndItsSignatureVerifiesWithTheKey(String type) throws Exception {
    Path pem = keyFile(type, "tls-" + type);
    Path csr = temp.resolve("tls-" + type + ".csr");

    GraftRun.Result run =
        holder()
            .run(
                "key",
                "csr",
                pem.toString(),
                "--subject",
                "CN=alice,OU=release,O=Example Ltd",
                "--out",
                csr.toString(),
                "--passphrase=env:PASS");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    PKCS10CertificationRequest request =
        new PKCS10CertificationRequest(pemBody(Files.readString(csr), "CERTIFICATE REQUEST"));
    // RFC 4514 text lists the most specific name first; the DER holds them the other way round.
    assertThat(new X500Principal(request.getSubject().getEncoded()).getName())
        .isEqualTo("CN=alice,OU=release,O=Example Ltd");
    TufKey key =
        PublicKeyFile.decode(Files.readAllBytes(temp.resolve("tls-" + type + ".pub.json")), "pub");
    byte[] spki = request.getSubjectPublicKeyInfo().getEncoded();
    PublicKey fromRequest =
        KeyFactory.getInstance(type.equals("ed25519") ? "Ed25519" : "EC")
            .generatePublic(new X509EncodedKeySpec(spki));
    assertThat(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(fromRequest)))
        .isTrue();
    // The key in the request is the key of the public key file.
    GraftRun.Result exported =
        holder()
            .run(
                "key",
                "export",
                temp.resolve("tls-" + type + ".pub.json").toString(),
                "--format=pem");
    assertThat(pemBody(exported.out(), "PUBLIC KEY")).isEqualTo(spki);
    assertThat(key.keyId()).isNotEmpty();
  }

  @Test
  void csr_ecdsa_opensslVerifiesTheSelfSignature() throws Exception {
    Path pem = keyFile("ecdsa-p256", "openssl");
    GraftRun.Result run =
        holder().run("key", "csr", pem.toString(), "--subject", "CN=bob", "--passphrase=env:PASS");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    Path csr = temp.resolve("bob.csr");
    Files.writeString(csr, run.out());

    Process process =
        new ProcessBuilder(List.of("openssl", "req", "-in", csr.toString(), "-verify", "-noout"))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // OpenSSL 3.0 exits 0 even when verification fails; the message is what counts.
    assertThat(output).contains("verify OK").doesNotContain("verify failure");
  }

  @Test
  void csr_compositeKey_refusedWithTheReason() throws Exception {
    Path pem = keyFile("composite", "root");

    GraftRun.Result run =
        holder().run("key", "csr", pem.toString(), "--subject", "CN=root", "--passphrase=env:PASS");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("composite mldsa65-ed25519 key")
        .contains("TLS stacks")
        .contains("--type ecdsa-p256");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void csr_malformedSubject_refused() throws Exception {
    Path pem = keyFile("ecdsa-p256", "bad");

    GraftRun.Result run =
        holder()
            .run(
                "key",
                "csr",
                pem.toString(),
                "--subject",
                "no equals sign",
                "--passphrase=env:PASS");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("is not a distinguished name");
  }
}
