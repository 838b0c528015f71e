package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.gateway.agent.AgentStatus;
import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.UpdateOutcome;
import dev.graft.gateway.agent.report.Report;
import dev.graft.gateway.runtime.StateLoad;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The happy path through the real agent: published bundle to committed swap, 0 missed ticks. */
class AgentPipelineTest {
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
  void publishedRelease_isInstalledThenSwappedLive_committedWithoutAMissedTick() throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-pipeline-1", 2, 3, "auto");
    ReleaseEngineer.Released v10 = bench.release("1.0");
    gateway.assign(v10.target());
    UpdateAgent agent = gateway.start();

    UpdateOutcome first = agent.checkNow();

    assertThat(first).isInstanceOf(UpdateOutcome.Committed.class);
    assertThat(((UpdateOutcome.Committed) first).to().version()).isEqualTo("1.0.0");

    ReleaseEngineer.Released v11 = bench.release("1.1");
    gateway.assign(v11.target());
    UpdateOutcome second = agent.checkNow();

    assertThat(second).isInstanceOf(UpdateOutcome.Committed.class);
    UpdateOutcome.Committed committed = (UpdateOutcome.Committed) second;
    assertThat(committed.to().version()).isEqualTo("1.1.0");
    assertThat(committed.from().orElseThrow().version()).isEqualTo("1.0.0");
    assertThat(committed.swap().missedAtSwap()).isZero();
    assertThat(committed.swap().lastSlotBefore()).isEqualTo(committed.swap().firstSlot() - 1);
    assertThat(committed.swap().state()).isInstanceOf(StateLoad.Loaded.class);
    assertThat(committed.watch().passed()).isTrue();
    assertThat(committed.swap().shadowComparison())
        .singleElement()
        .asString()
        .startsWith("burner:");

    AgentStatus status = agent.status();
    assertThat(status.installed().orElseThrow().version()).isEqualTo("1.1.0");
    assertThat(status.previous().orElseThrow().version()).isEqualTo("1.0.0");
    assertThat(status.staged()).isEmpty();
    assertThat(status.update()).isEmpty();
    assertThat(status.releaseFloor()).isEqualTo(committed.to().releaseCounter());
    assertThat(status.scan().orElseThrow().missedSlots()).isZero();

    // the second check finds nothing new
    assertThat(agent.checkNow()).isInstanceOf(UpdateOutcome.UpToDate.class);

    // every decision is in the hash-chained audit log, and in signed events, in order
    List<AuditRecord> audit = agent.audit(1, 1000);
    assertThat(AuditChain.verify(audit).count()).isEqualTo(audit.size());
    assertThat(audit)
        .extracting(AuditRecord::kind)
        .containsSubsequence(
            AuditKind.STARTED,
            AuditKind.ACCEPTED,
            AuditKind.STAGED,
            AuditKind.PREFLIGHT_PASSED,
            AuditKind.SWAP_PENDING,
            AuditKind.SWAPPED,
            AuditKind.WATCHED,
            AuditKind.COMMITTED,
            AuditKind.ACCEPTED,
            AuditKind.STAGED,
            AuditKind.PREFLIGHT_PASSED,
            AuditKind.SWAP_PENDING,
            AuditKind.SWAPPED,
            AuditKind.WATCHED,
            AuditKind.COMMITTED);
    List<Report> events = gateway.verifiedEvents();
    assertThat(events)
        .extracting(r -> r.content().string("event"))
        .containsSubsequence(
            "accepted", "swapped", "committed", "accepted", "swapped", "committed");
    assertThat(events).allSatisfy(r -> assertThat(r.directorTargetsSha256()).isPresent());
  }
}
