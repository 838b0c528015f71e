package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.gateway.agent.AgentStatus;
import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.UpdateOutcome;
import dev.graft.gateway.agent.journal.ModuleRef;
import dev.graft.gateway.agent.journal.PipelineState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SIGKILL of a gateway in every pipeline state: a child JVM ({@link AgentCrashChild}) runs the
 * agent through an update from 1.0.0 to 1.1.0 and freezes right after the state under test is
 * journaled; the test kills it there, starts the agent again on the same data directory and checks
 * what {@code recover()} promises — before COMMIT the committed module runs and the candidate's
 * files are gone, after it the new module runs — and that the next check finishes the update.
 *
 * <p>A kill in the middle of a journal write is {@code H2JournalCrashTest}'s subject (in {@code
 * gateway/core}): it kills a child at random points of a stream of transitions and checks that
 * every acknowledged one survives and the audit chain still verifies. Not repeated here.
 */
class AgentCrashTest {
  @TempDir static Path temp;
  static AgentBench bench;
  static ReleaseEngineer.Released v10;
  static ReleaseEngineer.Released v11;

  @BeforeAll
  static void startBench() throws Exception {
    bench = AgentBench.start(temp);
    v10 = bench.release("1.0");
    v11 = bench.release("1.1");
  }

  @AfterAll
  static void stopBench() throws Exception {
    bench.close();
  }

  @ParameterizedTest
  @EnumSource(PipelineState.class)
  void kill9_afterStateJournaled_restartRecoversAndTheNextCheckCommits(PipelineState state)
      throws Exception {
    AgentBench.Gateway gateway =
        bench.gateway("gw-crash-" + state.name().toLowerCase(Locale.ROOT), 1, "auto");
    gateway.assign(v10.target());
    try (UpdateAgent first = UpdateAgent.start(gateway.config())) {
      assertThat(first.checkNow()).isInstanceOf(UpdateOutcome.Committed.class);
    }
    gateway.assign(v11.target());

    killChildAt(gateway, state);

    boolean committed = state == PipelineState.COMMIT;
    String runs = committed ? "1.1.0" : "1.0.0";
    try (UpdateAgent agent = UpdateAgent.start(gateway.config())) {
      AgentStatus status = agent.status();
      assertThat(status.update()).isEmpty();
      assertThat(status.staged()).isEmpty();
      assertThat(status.installed().orElseThrow().version()).isEqualTo(runs);
      assertThat(status.running().orElseThrow().version()).isEqualTo(runs);
      assertThat(status.scan().orElseThrow().version()).isEqualTo(runs);

      List<AuditRecord> audit = agent.audit(1, 10_000);
      assertThat(AuditChain.verify(audit).count()).isEqualTo(audit.size());
      AuditRecord recovered =
          audit.stream().filter(r -> r.kind() == AuditKind.RECOVERED).reduce((a, b) -> b).get();
      assertThat(recovered.detail().string("interrupted_in")).isEqualTo(state.name());
      assertThat(recovered.detail().string("target")).isEqualTo(v11.target().path());
      assertThat(recovered.detail().string("runs")).isEqualTo("boiler-control " + runs);
      // recover() keeps a partial download interrupted in FETCH or DOWNLOAD for the next check
      assertThat(recovered.detail().bool("download_kept"))
          .isEqualTo(state == PipelineState.FETCH || state == PipelineState.DOWNLOAD);

      // The child froze as DOWNLOAD was journaled, before a chunk was asked for: no partial file
      // exists yet, so in every state only the installed and previous bundles remain.
      assertThat(moduleFiles(gateway)).containsExactlyInAnyOrderElementsOf(bundleFiles(status));
      assertThat(status.failedHashes()).isEmpty();

      UpdateOutcome next = agent.checkNow();

      if (committed) {
        assertThat(next).isInstanceOf(UpdateOutcome.UpToDate.class);
      } else {
        assertThat(next).isInstanceOf(UpdateOutcome.Committed.class);
        assertThat(((UpdateOutcome.Committed) next).to().version()).isEqualTo("1.1.0");
      }
      AgentStatus after = agent.status();
      assertThat(after.installed().orElseThrow().version()).isEqualTo("1.1.0");
      assertThat(after.previous().orElseThrow().version()).isEqualTo("1.0.0");
      assertThat(after.running().orElseThrow().version()).isEqualTo("1.1.0");
      assertThat(after.update()).isEmpty();
      assertThat(after.failedHashes()).isEmpty();
      assertThat(moduleFiles(gateway)).containsExactlyInAnyOrderElementsOf(bundleFiles(after));
      List<AuditRecord> finalAudit = agent.audit(1, 10_000);
      assertThat(AuditChain.verify(finalAudit).count()).isEqualTo(finalAudit.size());
    }
  }

  /** Runs the child until it prints {@code AT <state>}, then SIGKILLs it. */
  private static void killChildAt(AgentBench.Gateway gateway, PipelineState state)
      throws IOException, InterruptedException {
    Path parts = Files.createDirectories(temp.resolve("parts").resolve(gateway.id));
    Files.write(parts.resolve(AgentCrashChild.IMAGE_ROOT), bench.rootAnchor());
    Files.write(parts.resolve(AgentCrashChild.DIRECTOR_ROOT), gateway.director.rootAnchor());
    Files.write(parts.resolve(AgentCrashChild.SITE_KEY), gateway.director.siteKeyAnchor());
    Files.write(parts.resolve(AgentCrashChild.GRANT), gateway.grant);
    // Files, not pipes: destroyForcibly() closes a pipe, and the output is evidence on failure.
    Path out = parts.resolve("child.out");
    Path err = parts.resolve("child.err");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AgentCrashChild.class.getName(),
                bench.broker().uri().toString(),
                gateway.data.toString(),
                gateway.id,
                state.name(),
                parts.toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean reached = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!reached && child.isAlive() && System.nanoTime() < deadline) {
        reached = Files.readString(out, StandardCharsets.UTF_8).contains("AT " + state + "\n");
        if (!reached) {
          Thread.sleep(20);
        }
      }
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(reached)
        .as(
            "the child reached %s; its output:%n%s%nits errors:%n%s",
            state, Files.readString(out), tail(err))
        .isTrue();
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }

  private static String tail(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return text.substring(Math.max(0, text.length() - 4000));
  }

  private static List<String> moduleFiles(AgentBench.Gateway gateway) throws IOException {
    try (Stream<Path> files = Files.list(gateway.data.resolve("modules"))) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static List<String> bundleFiles(AgentStatus status) {
    return Stream.of(status.installed(), status.previous())
        .flatMap(Optional::stream)
        .map(ModuleRef::sha256)
        .map(sha256 -> sha256 + ".graft")
        .toList();
  }
}
