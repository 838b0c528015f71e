package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keys made by Graft are seen by OpenSC's {@code pkcs11-tool}, and keys made by {@code pkcs11-tool}
 * are used by Graft: the binding speaks standard PKCS#11, not a dialect of its own.
 */
class Pkcs11ToolInteropTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-interop-test");

  private static final byte[] MESSAGE = "interop".getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void requirePkcs11Tool() {
    if (!SoftHsmToken.onPath("pkcs11-tool")) {
      String message = "SKIPPED: pkcs11-tool is not installed (Debian package opensc)";
      System.err.println("*** " + message + " ***");
      Assumptions.abort(message);
    }
  }

  @Test
  void graftKeys_areListedByPkcs11Tool() throws Exception {
    byte[] id = HexFormat.of().parseHex("c0ffee01");
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      session.generateEcdsaP256KeyPair("graft-made-ecdsa", id);
      session.generateEd25519KeyPair("graft-made-ed25519");
      session.generateAes256Key("graft-made-aes");
    }

    SoftHsmToken.ToolRun list =
        TOKEN.run(
            "pkcs11-tool",
            "--module",
            TOKEN.modulePath().toString(),
            "--token-label",
            TOKEN.label(),
            "--login",
            "--pin",
            TOKEN.userPinText(),
            "--list-objects");

    assertThat(list.exitCode()).as(list.output()).isZero();
    assertThat(list.output())
        .contains(
            "label:      graft-made-ecdsa",
            "label:      graft-made-ed25519",
            "label:      graft-made-aes",
            "ID:         c0ffee01",
            "Private Key Object; EC");
  }

  @Test
  void pkcs11ToolEcdsaKey_signsInGraft_andTheJdkVerifies() throws Exception {
    SoftHsmToken.ToolRun generate = generateWithTool("EC:prime256v1", "tool-ecdsa", "01");
    assertThat(generate.exitCode()).as(generate.output()).isZero();

    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      TokenEcdsaSigner signer =
          TokenEcdsaSigner.find(session, ObjectQuery.all().withLabel("tool-ecdsa"));
      assertThat(signer.keyPair().id()).isEqualTo(new byte[] {1});

      byte[] signature = signer.sign(MESSAGE);

      Signature jdk = Signature.getInstance("SHA256withECDSA");
      jdk.initVerify(TokenSignerTest.jdkKey(signer.publicKey()));
      jdk.update(MESSAGE);
      assertThat(jdk.verify(signature)).isTrue();
    }
  }

  @Test
  void pkcs11ToolEd25519Key_withNamedCurveParameters_signsInGraft() throws Exception {
    // pkcs11-tool writes CKA_EC_PARAMS as the PrintableString "edwards25519", not the OID.
    SoftHsmToken.ToolRun generate = generateWithTool("EC:edwards25519", "tool-ed25519", "02");
    assertThat(generate.exitCode()).as(generate.output()).isZero();

    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath());
        TokenSession session = TOKEN.openLoggedIn(module)) {
      TokenEd25519Signer signer =
          TokenEd25519Signer.find(session, ObjectQuery.all().withLabel("tool-ed25519"));
      byte[] representative = CompositeMlDsa.messageRepresentative(MESSAGE);

      byte[] signature = signer.sign(representative);

      assertThat(signer.publicKey().type()).contains(KeyType.ED25519);
      assertThat(
              Verifiers.forKey(signer.publicKey()).orElseThrow().verify(representative, signature))
          .isTrue();
      // The description claims "non-extractable" only when the token says so.
      TokenObject key = signer.keyPair().privateObject();
      boolean nonExtractable =
          session.booleanAttribute(key, Pkcs11Constants.CKA_SENSITIVE).orElseThrow()
              && !session.booleanAttribute(key, Pkcs11Constants.CKA_EXTRACTABLE).orElseThrow();
      assertThat(signer.description())
          .isEqualTo(
              "Ed25519 key inside token '"
                  + TOKEN.label()
                  + "' (PKCS#11, "
                  + (nonExtractable ? "non-extractable" : "extractable")
                  + ")");
    }
  }

  private static SoftHsmToken.ToolRun generateWithTool(String keyType, String label, String id)
      throws Exception {
    return TOKEN.run(
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
        keyType,
        "--label",
        label,
        "--id",
        id);
  }
}
