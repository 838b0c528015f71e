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
import org.junit.jupiter.api.Test;
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
  /**
   * Faulted watch ticks the grant tolerates: recovery is under test, not the watch, and on a busy
   * machine a tick can run past its 5 ms budget (the demo's grant tolerates none).
   */
  private static final int FAULT_LIMIT = 3;

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

  @ParameterizedTest(name = "kill -9 after {0} is journaled")
  @EnumSource(PipelineState.class)
  void kill9_afterStateJournaled_restartRecoversAndTheNextCheckCommits(PipelineState state)
      throws Exception {
    AgentBench.Gateway gateway =
        bench.gateway("gw-crash-" + state.name().toLowerCase(Locale.ROOT), 1, FAULT_LIMIT, "auto");
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

  @Test
  void kill9_midDownload_partialFileKeptAndTheNextCheckResumesIt() throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-crash-mid-download", 1, FAULT_LIMIT, "auto");
    gateway.assign(v10.target());
    try (UpdateAgent first = UpdateAgent.start(gateway.config())) {
      assertThat(first.checkNow()).isInstanceOf(UpdateOutcome.Committed.class);
    }
    // ~1 MiB in 1 KiB chunks: a download long enough to be killed in the middle of
    ReleaseEngineer.Released v13 = bench.releaseBundle(bench.paddedBundle("1.3.0", 1 << 20));
    long length = v13.target().length();
    gateway.assign(v13.target());
    Path part =
        gateway
            .data
            .resolve("modules")
            .resolve(v13.target().hashes().get("sha256") + ".graft.part");

    Child child = Child.start(gateway, AgentCrashChild.NO_FREEZE);
    long killedAt;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (size(part) < 64 * 1024 && child.process.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
    } finally {
      child.kill();
    }
    killedAt = size(part);
    assertThat(killedAt)
        .as("killed mid-download; %s", child.evidence())
        .isBetween(64 * 1024L, length - 1);

    try (UpdateAgent agent = UpdateAgent.start(gateway.config())) {
      AgentStatus status = agent.status();
      assertThat(status.running().orElseThrow().version()).isEqualTo("1.0.0");
      assertThat(status.update()).isEmpty();
      AuditRecord recovered =
          agent.audit(1, 10_000).stream()
              .filter(r -> r.kind() == AuditKind.RECOVERED)
              .reduce((a, b) -> b)
              .orElseThrow();
      assertThat(recovered.detail().string("interrupted_in")).isEqualTo("DOWNLOAD");
      assertThat(recovered.detail().bool("download_kept")).isTrue();
      // the partial download stays for the next check, beside the installed bundle
      assertThat(moduleFiles(gateway))
          .containsExactlyInAnyOrder(
              status.installed().orElseThrow().sha256() + ".graft", part.getFileName().toString());
      assertThat(size(part)).isEqualTo(killedAt);

      UpdateOutcome next = agent.checkNow();

      assertThat(next).isInstanceOf(UpdateOutcome.Committed.class);
      assertThat(((UpdateOutcome.Committed) next).to().version()).isEqualTo("1.3.0");
      AuditRecord downloaded =
          agent.audit(1, 10_000).stream()
              .filter(r -> r.kind() == AuditKind.DOWNLOADED)
              .reduce((a, b) -> b)
              .orElseThrow();
      assertThat(downloaded.detail().integer("chunks_resumed")).isPositive();
      assertThat(downloaded.detail().integer("bytes_received")).isLessThan(length);
      assertThat(Files.exists(part)).isFalse();
      List<AuditRecord> audit = agent.audit(1, 10_000);
      assertThat(AuditChain.verify(audit).count()).isEqualTo(audit.size());
    }
  }

  /** Runs the child until it prints {@code AT <state>}, then SIGKILLs it. */
  private static void killChildAt(AgentBench.Gateway gateway, PipelineState state)
      throws IOException, InterruptedException {
    Child child = Child.start(gateway, state.name());
    boolean reached = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!reached && child.process.isAlive() && System.nanoTime() < deadline) {
        reached = child.output().contains("AT " + state + "\n");
        if (!reached) {
          Thread.sleep(20);
        }
      }
    } finally {
      child.kill();
    }
    assertThat(reached).as("the child reached %s; %s", state, child.evidence()).isTrue();
  }

  /** A child JVM running {@link AgentCrashChild} for {@code gateway}, its output in files. */
  private record Child(Process process, Path out, Path err) {
    static Child start(AgentBench.Gateway gateway, String freeze) throws IOException {
      Path parts = Files.createDirectories(temp.resolve("parts").resolve(gateway.id));
      Files.write(parts.resolve(AgentCrashChild.IMAGE_ROOT), bench.rootAnchor());
      Files.write(parts.resolve(AgentCrashChild.DIRECTOR_ROOT), gateway.director.rootAnchor());
      Files.write(parts.resolve(AgentCrashChild.SITE_KEY), gateway.director.siteKeyAnchor());
      Files.write(parts.resolve(AgentCrashChild.GRANT), gateway.grant());
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
                  freeze,
                  parts.toString())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      return new Child(child, out, err);
    }

    String output() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    void kill() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL on Linux
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }

    String evidence() throws IOException {
      String errors = Files.readString(err, StandardCharsets.UTF_8);
      return "its output:%n%s%nits errors:%n%s"
          .formatted(output(), errors.substring(Math.max(0, errors.length() - 4000)));
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0; // not there (yet)
    }
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
