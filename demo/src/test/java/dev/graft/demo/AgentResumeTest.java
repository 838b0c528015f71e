package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.gateway.agent.AgentConfig;
import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.UpdateOutcome;
import dev.graft.transport.FetchOptions;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.testing.TcpProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download cut off half way resumes where it stopped: the agent reaches the broker through a
 * proxy that the test cuts while a ~1 MiB bundle arrives in 64 KiB chunks; the check ends blocked,
 * the partial file stays, and the next check fetches only what is missing.
 */
class AgentResumeTest {
  private static final int CHUNK = 64 * 1024;

  /** As in {@code AgentCrashTest}: a tick past its budget on a busy machine is not under test. */
  private static final int FAULT_LIMIT = 3;

  /** The padding custom section: the bundle is ~1 MiB and the module still the 1.1 logic. */
  static final int PADDING = 1024 * 1024 - 16 * 1024;

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
  void checkNow_connectionCutMidDownload_nextCheckResumesAndCommits() throws Exception {
    Path bundle = bench.paddedBundle("1.3.0", PADDING);
    long length = Files.size(bundle);
    assertThat(length).isBetween(1_000_000L, 1_100_000L);
    ReleaseEngineer.Released v13 = bench.releaseBundle(bundle, CHUNK);
    String sha256 = v13.target().hashes().get("sha256");
    AgentBench.Gateway gateway = bench.gateway("gw-resume-1", 1, FAULT_LIMIT, "auto");
    gateway.assign(v13.target());

    try (TcpProxy proxy = TcpProxy.to(bench.broker().port())) {
      // A 2 s deadline for each SUBACK while the connection is down, and a 1 s progress timeout,
      // end the cut-off check quickly; window 1: one chunk in flight, so the cut loses at most one.
      AgentConfig config =
          gateway.config(
              gateway.identity,
              MqttOptions.of(proxy.uri())
                  .withTimeouts(MqttOptions.DEFAULT_CONNECT_TIMEOUT, Duration.ofSeconds(2)));
      config =
          config.withSchedule(
              config
                  .schedule()
                  .withFetch(new FetchOptions(Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 3)));
      UpdateAgent agent = gateway.start(config);
      Path part = gateway.data.resolve("modules").resolve(sha256 + ".graft.part");

      CompletableFuture<UpdateOutcome> cutOff = CompletableFuture.supplyAsync(agent::checkNow);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (size(part) < length / 2 && !cutOff.isDone() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      proxy.cut();
      UpdateOutcome blocked = cutOff.get(60, TimeUnit.SECONDS);

      assertThat(blocked).isInstanceOf(UpdateOutcome.Blocked.class);
      assertThat(((UpdateOutcome.Blocked) blocked).reason())
          .contains("the download of " + v13.target().path() + " stopped (it resumes)");
      long kept = size(part);
      assertThat(kept).as("the partial download stays").isBetween(length / 2, length - 1);
      long bytesBeforeResume = proxy.bytesToClients();

      proxy.restore();
      long connectedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
      while (!agent.status().brokerConnected() && System.nanoTime() < connectedBy) {
        Thread.sleep(50);
      }
      assertThat(agent.status().brokerConnected()).as("reconnected through the proxy").isTrue();
      UpdateOutcome resumed = agent.checkNow();

      assertThat(resumed).isInstanceOf(UpdateOutcome.Committed.class);
      assertThat(((UpdateOutcome.Committed) resumed).to().version()).isEqualTo("1.3.0");
      assertThat(agent.status().running().orElseThrow().version()).isEqualTo("1.3.0");
      AuditRecord downloaded =
          agent.audit(1, 10_000).stream()
              .filter(r -> r.kind() == AuditKind.DOWNLOADED)
              .reduce((a, b) -> b)
              .orElseThrow();
      long received = downloaded.detail().integer("bytes_received");
      long resumedChunks = downloaded.detail().integer("chunks_resumed");
      assertThat(downloaded.detail().integer("length")).isEqualTo(length);
      assertThat(resumedChunks).isPositive();
      assertThat(resumedChunks * CHUNK).isLessThanOrEqualTo(kept);
      // chunk bytes: the cut-off attempt wrote at most `kept`, the finishing one `received`
      assertThat(kept + received).isBetween(length, length + CHUNK);
      // everything the broker sent the agent, metadata and chunk lists included: one chunk may
      // be lost at the cut; the rest of the second chunk's worth covers the metadata and framing
      assertThat(proxy.bytesToClients())
          .as("bytes through the proxy: %d before the resume", bytesBeforeResume)
          .isLessThanOrEqualTo(length + 2L * CHUNK);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0; // not created yet, or already moved into place
    }
  }
}
