package dev.graft.gateway.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import dev.graft.gateway.agent.report.Verification.Verified;
import dev.graft.pkcs11.Pkcs11Module;
import dev.graft.pkcs11.SoftHsmToken;
import dev.graft.pkcs11.TokenEcdsaSigner;
import dev.graft.pkcs11.TokenSession;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A report signed by an identity key inside a real SoftHSM2 token verifies like a software one. */
class TokenReportSignerTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-report-test");

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-08T03:30:00Z"), ZoneOffset.UTC);

  @Test
  void sign_withTokenKey_verifiesWithEnrolledPublicKey() {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath())) {
      TokenSession session = TOKEN.openLoggedIn(module);
      TokenEcdsaSigner identity =
          TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("gateway-identity"));
      long[] last = {0};
      ReportCounter counter =
          new ReportCounter() {
            @Override
            public long last() {
              return last[0];
            }

            @Override
            public void advanceTo(long value) {
              last[0] = value;
            }
          };

      byte[] bytes =
          new ReportSigner("gw-token-1", identity, counter, CLOCK)
              .sign(
                  ReportKind.HEALTH,
                  Optional.empty(),
                  JsonObject.builder().put("ticks", 1000).build());

      Verification verification =
          ReportVerifier.withDefaults().verify(bytes, identity.publicKey(), "gw-token-1", 0);
      assertThat(verification).isInstanceOf(Verified.class);
      assertThat(((Verified) verification).report().counter()).isEqualTo(1);
    }
  }
}
