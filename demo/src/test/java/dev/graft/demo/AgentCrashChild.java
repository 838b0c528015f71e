package dev.graft.demo;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.gateway.agent.AgentConfig;
import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.journal.PipelineState;
import dev.graft.gateway.scan.ScanStats;
import dev.graft.transport.MqttOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link AgentCrashTest}: starts the gateway's agent on its data directory, checks
 * for the assigned update, and freezes the agent's thread right after the pipeline state under test
 * is journaled, printing {@code AT <state>} so the parent knows when to kill it.
 *
 * <p>Arguments: the broker URI, the data directory, the gateway id, the state (or {@value
 * #NO_FREEZE}), and a directory with the commissioned parts ({@code image-root.json}, {@code
 * director-root.json}, {@code site-key}, {@code grant.json}). The identity key is a fresh one:
 * report signatures are not under test.
 */
final class AgentCrashChild {
  static final String IMAGE_ROOT = "image-root.json";
  static final String DIRECTOR_ROOT = "director-root.json";
  static final String SITE_KEY = "site-key";
  static final String GRANT = "grant.json";

  /** The state argument for a child that never freezes: the parent kills it when it sees fit. */
  static final String NO_FREEZE = "NONE";

  private static final long WARM_UP_TICKS = 30;

  private AgentCrashChild() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    URI broker = URI.create(args[0]);
    Path data = Path.of(args[1]);
    String gatewayId = args[2];
    Optional<PipelineState> freezeAt =
        args[3].equals(NO_FREEZE) ? Optional.empty() : Optional.of(PipelineState.valueOf(args[3]));
    Path parts = Path.of(args[4]);
    AgentConfig config =
        AgentBench.agentConfig(
            gatewayId,
            data,
            Files.readAllBytes(parts.resolve(IMAGE_ROOT)),
            Files.readAllBytes(parts.resolve(DIRECTOR_ROOT)),
            Files.readAllBytes(parts.resolve(SITE_KEY)),
            Files.readAllBytes(parts.resolve(GRANT)),
            SoftwareKey.generate(KeyType.ECDSA_P256),
            MqttOptions.of(broker));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    CountDownLatch never = new CountDownLatch(1);
    UpdateAgent agent = UpdateAgent.start(config);
    // A fresh JVM runs the module interpreted at first: let the scan loop warm it up, or a state
    // load at SWAP may run past the tick budget and the swap be refused before the state is
    // reached.
    long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (agent.status().scan().map(ScanStats::ticks).orElse(0L) < WARM_UP_TICKS
        && System.nanoTime() < warm) {
      Thread.sleep(50);
    }
    agent.addTransitionListener(update -> {
      out.println("STATE " + update.state());
      out.flush();
      if (freezeAt.isPresent() && update.state() == freezeAt.get()) {
        out.println("AT " + update.state());
        out.flush();
        // The journal holds the state now; the agent's thread stays here until the kill.
        try {
          never.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    out.println("OUTCOME " + agent.checkNow());
    out.flush();
    never.await();
  }
}
