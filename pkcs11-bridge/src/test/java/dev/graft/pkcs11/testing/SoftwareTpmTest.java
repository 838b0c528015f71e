package dev.graft.pkcs11.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture gives a real token: pkcs11-tool lists it, signs with its key (the signature verifies
 * with the JDK and openssl), keeps a data object; and it cleans up after itself.
 */
@SoftwareTpmToken(
    label = "graft-gw",
    soPin = "so-4711",
    userPin = "user-4711",
    ecdsaKey = "identity")
class SoftwareTpmTest {
  private static final byte[] MESSAGE = "targets.json, version 7".getBytes(StandardCharsets.UTF_8);

  @TempDir Path work;

  @Test
  void start_withLabel_pkcs11ToolListsTheTokenOnlyWithTheFixtureEnvironment(SoftwareTpm tpm)
      throws Exception {
    ProcessOutcome listed = pkcs11Tool(tpm, "--list-token-slots").requireSuccess();
    assertThat(listed.stdout()).containsPattern("token label\\s*: graft-gw\\R");

    // The store variable is what selects the token: an empty store shows none.
    Path emptyStore = Files.createDirectory(work.resolve("empty-store"));
    ProcessBuilder elsewhere = tpm.processBuilder(tool(tpm, "--list-token-slots"));
    elsewhere.environment().put("TPM2_PKCS11_STORE", emptyStore.toString());
    assertThat(ProcessOutcome.run(elsewhere).requireSuccess().stdout())
        .contains("token state:   uninitialized")
        .doesNotContain("graft-gw");
  }

  @Test
  void start_withKey_listsItsPrivateAndPublicKeyAfterLogin(SoftwareTpm tpm) {
    ProcessOutcome objects =
        pkcs11Tool(tpm, "--list-objects", "--login", "--pin", tpm.userPin()).requireSuccess();

    assertThat(tpm.keyLabel()).contains("identity");
    assertThat(objects.stdout())
        .contains("Private Key Object; EC", "Public Key Object; EC  EC_POINT 256 bits")
        .containsPattern("label:\\s*identity");
  }

  @Test
  void sign_sha256DigestWithTokenKey_verifiesWithJdkAndOpenssl(SoftwareTpm tpm) throws Exception {
    Path publicKeyFile = work.resolve("identity.der");
    pkcs11Tool(
            tpm,
            "--read-object",
            "--type",
            "pubkey",
            "--label",
            "identity",
            "--output-file",
            publicKeyFile.toString())
        .requireSuccess();
    Path digest = Files.write(work.resolve("digest"), sha256(MESSAGE));
    Path signatureFile = work.resolve("signature.der");

    pkcs11Tool(
            tpm,
            "--login",
            "--pin",
            tpm.userPin(),
            "--sign",
            "--mechanism",
            "ECDSA",
            "--signature-format",
            "openssl",
            "--label",
            "identity",
            "--input-file",
            digest.toString(),
            "--output-file",
            signatureFile.toString())
        .requireSuccess();

    PublicKey publicKey =
        KeyFactory.getInstance("EC")
            .generatePublic(new X509EncodedKeySpec(Files.readAllBytes(publicKeyFile)));
    assertThat(((ECPublicKey) publicKey).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(256);
    byte[] signature = Files.readAllBytes(signatureFile);
    assertThat(verifies(publicKey, MESSAGE, signature)).isTrue();
    assertThat(
            verifies(
                publicKey, "targets.json, version 8".getBytes(StandardCharsets.UTF_8), signature))
        .isFalse();

    ProcessOutcome openssl =
        ProcessOutcome.run(
            new ProcessBuilder(
                Tools.require("openssl", "openssl").toString(),
                "pkeyutl",
                "-verify",
                "-pubin",
                "-keyform",
                "DER",
                "-inkey",
                publicKeyFile.toString(),
                "-in",
                digest.toString(),
                "-sigfile",
                signatureFile.toString()));
    assertThat(openssl.status()).as(openssl.stderr()).isZero();
    assertThat(openssl.stdout()).contains("Signature Verified Successfully");
  }

  @Test
  void sign_wrongUserPin_isRefused(SoftwareTpm tpm) throws Exception {
    Path digest = Files.write(work.resolve("digest"), sha256(MESSAGE));

    // One wrong PIN only: the TPM counts failures towards its dictionary-attack lockout.
    ProcessOutcome refused =
        pkcs11Tool(
            tpm,
            "--login",
            "--pin",
            "not-" + tpm.userPin(),
            "--sign",
            "--mechanism",
            "ECDSA",
            "--label",
            "identity",
            "--input-file",
            digest.toString(),
            "--output-file",
            work.resolve("signature").toString());

    assertThat(refused.status()).isNotZero();
    assertThat(refused.stderr()).contains("CKR_PIN_INCORRECT");
  }

  @Test
  void dataObject_privateWritten_readsBackTheSameBytes(SoftwareTpm tpm) throws Exception {
    byte[] anchor = new byte[300];
    new SecureRandom().nextBytes(anchor);
    Path written = Files.write(work.resolve("anchor"), anchor);
    Path read = work.resolve("anchor.read");

    pkcs11Tool(
            tpm,
            "--login",
            "--pin",
            tpm.userPin(),
            "--write-object",
            written.toString(),
            "--type",
            "data",
            "--label",
            "anchor",
            "--private")
        .requireSuccess();
    pkcs11Tool(
            tpm,
            "--login",
            "--pin",
            tpm.userPin(),
            "--read-object",
            "--type",
            "data",
            "--label",
            "anchor",
            "--output-file",
            read.toString())
        .requireSuccess();

    assertThat(Files.readAllBytes(read)).isEqualTo(anchor);
  }

  /** A quirk the binding must live with: trust anchors on this token are private objects. */
  @Test
  void dataObject_public_isRefusedByTpm2Pkcs11(SoftwareTpm tpm) throws Exception {
    Path written = Files.write(work.resolve("public-anchor"), new byte[] {1, 2, 3});

    ProcessOutcome refused =
        pkcs11Tool(
            tpm,
            "--login",
            "--pin",
            tpm.userPin(),
            "--write-object",
            written.toString(),
            "--type",
            "data",
            "--label",
            "public-anchor");

    assertThat(refused.status()).isNotZero();
    assertThat(refused.stderr()).contains("CKR_ATTRIBUTE_VALUE_INVALID");
  }

  @Test
  void close_secondFixtureBesideFirst_neitherCollidesAndCloseRemovesOnlyItsOwn(SoftwareTpm first) {
    List<ProcessHandle> secondProcesses;
    Path secondDirectory;
    try (SoftwareTpm second = SoftwareTpm.builder().tokenLabel("other-gw").start()) {
      secondProcesses = second.processes();
      secondDirectory = second.directory();

      assertThat(secondDirectory).isNotEqualTo(first.directory());
      assertThat(second.environment())
          .doesNotContainValue(first.environment().get("TPM2_PKCS11_STORE"));
      assertThat(pids(secondProcesses))
          .hasSize(3)
          .doesNotContainAnyElementsOf(pids(first.processes()));
      assertThat(secondProcesses).allMatch(ProcessHandle::isAlive);
      assertThat(pkcs11Tool(second, "--list-token-slots").requireSuccess().stdout())
          .contains("other-gw")
          .doesNotContain("graft-gw");
      assertThat(pkcs11Tool(first, "--list-token-slots").requireSuccess().stdout())
          .contains("graft-gw")
          .doesNotContain("other-gw");
    }

    assertThat(secondProcesses).noneMatch(ProcessHandle::isAlive);
    assertThat(secondDirectory).doesNotExist();
    assertThat(first.processes()).allMatch(ProcessHandle::isAlive);
    assertThat(pkcs11Tool(first, "--list-token-slots").requireSuccess().stdout())
        .contains("graft-gw");
  }

  @Test
  void start_daemonNotReadyInTime_stopsWhatItStartedAndDeletesItsDirectory() {
    List<ProcessHandle> childrenBefore = ProcessHandle.current().children().toList();

    // No time at all: whichever daemon is first polled (usually swtpm, sometimes a later one when
    // swtpm was quicker than the first poll) cannot be ready yet.
    assertThatThrownBy(() -> SoftwareTpm.builder().timeout(Duration.ZERO).start())
        .isInstanceOfSatisfying(
            SoftwareTpm.StartFailedException.class,
            failure -> {
              assertThat(failure)
                  .hasMessageMatching(
                      "(?s).*(swtpm|dbus-daemon|tpm2-abrmd) was not ready within PT0S.*");
              assertThat(failure.startedProcesses()).isNotEmpty().noneMatch(ProcessHandle::isAlive);
              assertThat(failure.directory()).doesNotExist();
            });
    List<ProcessHandle> newChildren = new ArrayList<>(ProcessHandle.current().children().toList());
    newChildren.removeAll(childrenBefore);
    assertThat(newChildren).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void builder_labelLongerThanTpm2Pkcs11Keeps_isRejectedBeforeStarting() {
    assertThatThrownBy(() -> SoftwareTpm.builder().tokenLabel("a-token-label-of-thirty-two-byte"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 31 UTF-8 bytes");
  }

  @Test
  void builder_emptyUserPin_isRejected() {
    assertThatThrownBy(() -> SoftwareTpm.builder().userPin(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user PIN must not be empty");
  }

  private static ProcessOutcome pkcs11Tool(SoftwareTpm tpm, String... arguments) {
    return ProcessOutcome.run(tpm.processBuilder(tool(tpm, arguments)));
  }

  private static String[] tool(SoftwareTpm tpm, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Tools.require("pkcs11-tool", "opensc").toString());
    command.add("--module");
    command.add(tpm.modulePath().toString());
    command.addAll(List.of(arguments));
    return command.toArray(String[]::new);
  }

  private static List<Long> pids(List<ProcessHandle> processes) {
    return processes.stream().map(ProcessHandle::pid).toList();
  }

  private static byte[] sha256(byte[] message) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(message);
  }

  private static boolean verifies(PublicKey key, byte[] message, byte[] signature)
      throws Exception {
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(key);
    verifier.update(message);
    return verifier.verify(signature);
  }
}
