package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.UpdateOutcome;
import dev.graft.gateway.agent.report.Report;
import dev.graft.gateway.agent.report.ReportVerifier;
import dev.graft.gateway.agent.report.Verification;
import dev.graft.pkcs11.Pkcs11Module;
import dev.graft.pkcs11.SoftHsmToken;
import dev.graft.pkcs11.TokenEcdsaSigner;
import dev.graft.pkcs11.TokenSession;
import dev.graft.transport.Topics;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's reports signed by an identity key that never leaves a real SoftHSM2 token, verified
 * from the broker as the rollout service will.
 */
class AgentTokenIdentityTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-agent-identity");
  @TempDir static Path temp;
  static AgentBench bench;

  @BeforeAll
  static void startBench() throws Exception {
    bench = AgentBench.start(temp);
  }

  @AfterAll
  static void stopBench() throws Exception {
    bench.close();
  }

  @Test
  void tokenIdentityKey_signsStatusAndEvents_verifiedWithItsPublicKey() throws Exception {
    try (Pkcs11Module module = Pkcs11Module.open(TOKEN.modulePath())) {
      TokenSession session = TOKEN.openLoggedIn(module);
      TokenEcdsaSigner identity =
          TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("gateway-identity"));
      AgentBench.Gateway gateway = bench.gateway("gw-token-1", 1, 3, "auto");
      gateway.assign(bench.release("1.0").target());

      try (UpdateAgent agent = UpdateAgent.start(gateway.config(identity))) {
        assertThat(agent.checkNow()).isInstanceOf(UpdateOutcome.Committed.class);

        byte[] status = Demo.retained(bench.releaseSide(), Topics.gatewayStatus(gateway.id));
        Verification verification =
            ReportVerifier.withDefaults().verify(status, identity.publicKey(), gateway.id, 0);
        assertThat(verification).isInstanceOf(Verification.Verified.class);
        Report report = ((Verification.Verified) verification).report();
        assertThat(report.content().object("installed").string("version")).isEqualTo("1.0.0");
        assertThat(report.content().object("audit").integer("seq"))
            .isEqualTo(agent.status().auditHead().orElseThrow().seq());

        // the software key the bench generated for this gateway is not the token's: no report
        // verifies with it
        assertThat(
                ReportVerifier.withDefaults()
                    .verify(status, gateway.identity.publicKey(), gateway.id, 0))
            .isInstanceOf(Verification.Rejected.class);
      }
    }
  }
}
