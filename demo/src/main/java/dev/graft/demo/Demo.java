package dev.graft.demo;

import dev.graft.bundle.Digests;
import dev.graft.bundle.director.Grants;
import dev.graft.bundle.format.BundleWriter;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tufclient.AtomicFile;
import dev.graft.gateway.agent.AgentConfig;
import dev.graft.gateway.agent.AgentStatus;
import dev.graft.gateway.agent.Anchors;
import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.UpdateOutcome;
import dev.graft.gateway.agent.report.Report;
import dev.graft.gateway.agent.report.ReportVerifier;
import dev.graft.gateway.agent.report.Verification;
import dev.graft.gateway.field.InMemoryCredentials;
import dev.graft.gateway.runtime.StateLoad;
import dev.graft.gateway.scan.ScanStats;
import dev.graft.sim.SimulatedSite;
import dev.graft.sim.SiteConfig;
import dev.graft.sim.plant.PlantParameters;
import dev.graft.sim.plant.PlantReading;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.PublishReport;
import dev.graft.transport.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;

/**
 * The demo behind {@code scripts/run}: a broker, software keys, a simulated field site and a
 * gateway running the update agent; release 1.0 of the boiler controller is signed, published over
 * MQTT, and the agent verifies, installs, watches and commits it; then 1.1 is released and swapped
 * in live, between two ticks; attacks are refused while the boiler keeps running; then the faulty
 * 1.2 is released and the agent rolls it back by itself. Each step is numbered and says what it
 * proves. The demo only plays the release engineer, the director and the plant: every gateway
 * decision is the agent's.
 */
public final class Demo {
  static final String GATEWAY = "gw-demo-1";
  static final String MODULE = "boiler-control";
  static final int STEPS = 10;

  /** How long the demo waits for the agent to decide about one release (fetch to commit). */
  static final Duration DECISION_WITHIN = Duration.ofSeconds(90);

  /** Marks a work directory the demo made, so it only ever empties its own. */
  static final String MARKER = ".graft-demo";

  /** Small chunks, so even these few-KB bundles travel as several verified chunks. */
  static final int CHUNK_SIZE = 1024;

  /** Simulated seconds per real second: a modest speed-up, the watchdog still far from tripping. */
  static final double SPEED = 2.0;

  /** "In band": the water within this many °C of the setpoint. */
  static final double BAND_C = 5.0;

  private final Settings settings;
  private final PrintStream out;
  private final List<Attack> attacks = new ArrayList<>();
  private double minTemperature = Double.MAX_VALUE;
  private double maxTemperature = -Double.MAX_VALUE;

  /**
   * What to run with.
   *
   * @param work the work directory (emptied first)
   * @param wasm the built example modules ({@code examples/target/wasm})
   * @param watch how long the boiler is shown running each module
   * @param logFile whether the libraries' log lines go to {@code demo.log} in the work directory
   *     instead of the console, so the operator reads the steps, not the link status lines
   */
  record Settings(Path work, Path wasm, Duration watch, boolean logFile) {}

  /** One attack and the trust core's refusal. */
  record Attack(String what, String refusal, boolean logicUnchanged) {}

  /** The signed status report the demo read back from the broker. */
  record StatusCheck(long counter, long auditSeq) {}

  /** The demo's outcome, for the summary and the integration test. */
  record Outcome(
      long lastSlotBefore,
      long firstSlotAfter,
      long missedAtSwap,
      boolean stateCarriedOver,
      String runningVersion,
      List<Attack> attacks,
      String rollback,
      double minTemperatureC,
      double maxTemperatureC,
      double setpointC,
      ScanStats finalStats,
      StatusCheck status) {
    boolean inBand() {
      return minTemperatureC >= setpointC - BAND_C && maxTemperatureC <= setpointC + BAND_C;
    }
  }

  private Demo(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /** {@code Demo [WORK_DIR]}: exit 0 when every step held, 1 with the reason otherwise. */
  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          """
          Usage: scripts/run [WORK_DIR]        (default target/demo)
          Runs the Graft demo: broker, keys, simulated boiler site, gateway, a signed update
          swapped in live, attacks refused. Exit 0 when every step held, 1 when one
          did not (the reason is printed), 2 for bad arguments.
          Example module directory: -Dgraft.examples.wasm=DIR (default examples/target/wasm).\
          """);
      return;
    }
    if (args.length > 1 || (args.length == 1 && args[0].startsWith("-"))) {
      System.err.println(
          "graft demo: unexpected arguments "
              + String.join(" ", args)
              + "; usage: scripts/run [WORK_DIR] (see --help)");
      System.exit(2);
    }
    Path work = Path.of(args.length > 0 ? args[0] : "target/demo").toAbsolutePath();
    try {
      if (args.length == 0 && Files.isDirectory(work)) {
        // target/ is build output (mvn clean deletes it): the default directory is the demo's
        // even when an older demo left it without the marker.
        Files.writeString(work.resolve(MARKER), "");
      }
    } catch (IOException e) {
      System.err.println("graft demo FAILED: cannot write to " + work + ": " + e.getMessage());
      System.exit(1);
    }
    Path wasm =
        Path.of(System.getProperty("graft.examples.wasm", "examples/target/wasm")).toAbsolutePath();
    try {
      run(new Settings(work, wasm, Duration.ofSeconds(8), true), System.out);
    } catch (Exception e) {
      System.out.flush();
      System.err.println();
      System.err.println(
          "graft demo FAILED: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      System.exit(1);
    }
    System.exit(0);
  }

  /**
   * Runs the whole demo, narrating to {@code out}.
   *
   * @throws IllegalStateException when a step did not hold (an attack accepted, a swap held, a tick
   *     missed at the swap, the boiler out of band)
   */
  static Outcome run(Settings settings, PrintStream out) throws Exception {
    return new Demo(settings, out).run();
  }

  private Outcome run() throws Exception {
    Path work = settings.work();
    emptyWorkDirectory(work);
    long started = System.nanoTime();
    out.println("Graft demo: a signed update swapped into a running boiler controller");
    out.println("work directory " + work);
    if (settings.logFile()) {
      logTo(work.resolve("demo.log"));
      out.println(
          "library log lines (field links, fault policies) go to " + work.resolve("demo.log"));
    }

    step(1, "broker: start mosquitto on a free loopback port");
    try (LocalBroker broker = LocalBroker.start(work.resolve("broker"))) {
      detail(
          "mosquitto pid "
              + broker.pid()
              + " listening on "
              + broker.uri()
              + " (configuration "
              + work.relativize(work.resolve("broker/mosquitto.conf"))
              + ")");
      detail("the demo owns it: it is stopped when the demo ends, also on Ctrl-C");
      return withBroker(broker, started);
    }
  }

  private Outcome withBroker(LocalBroker broker, long started) throws Exception {
    Path work = settings.work();
    step(2, "field site: a simulated boiler plant, in this process");
    String pskKey = randomSecret();
    PlantParameters plant =
        new PlantParameters(15.0, 60.0, 0.5, 0.004, 0.05, 12.0, 0.1, 60.0, true, 5);
    SiteConfig siteConfig =
        SiteConfig.defaults().withSpeed(SPEED).withPlant(plant).withPsk("graft-gateway", pskKey);
    try (SimulatedSite site = SimulatedSite.start(siteConfig);
        MqttConnection releaseSide = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      String coaps =
          site.coapsAddress()
              .orElseThrow(() -> new IllegalStateException("the thermostat has no DTLS port"));
      detail("boiler-plc  " + site.modbusAddress() + "  (Modbus TCP: temperature, burner coil)");
      detail("thermostat  " + coaps + "/setpoint  (CoAP over DTLS, pre-shared key)");
      detail(
          String.format(
              Locale.ROOT,
              "plant at %.0f× real time: water %.1f °C, setpoint %.1f °C, burner off",
              SPEED,
              site.plant().reading().temperatureC(),
              site.plant().reading().setpointC()));

      step(3, "keys: image repository with `graft`, director for " + GATEWAY + ", site grant");
      List<String> printed = new ArrayList<>();
      ReleaseEngineer engineer = ReleaseEngineer.init(work.resolve("release/repo"), printed);
      detail("graft repo init " + work.relativize(engineer.repository()));
      printed.stream().limit(6).forEach(line -> detail("  │ " + line));
      detail("  (4 composite ML-DSA-65 + Ed25519 software keys, encrypted, in release/repo/keys)");
      Director director = new Director(GATEWAY);
      detail(
          "director: composite root, online targets/snapshot/timestamp keys, and a delegated"
              + " 'grants' role under the operator's site key");
      byte[] grant = SiteGrant.forSite(site.modbusAddress(), coaps);
      Path grantFile = work.resolve("gateway/grant.yaml");
      writeAtomically(grantFile, grant);
      detail(
          "site grant "
              + work.relativize(grantFile)
              + ": the two devices at their simulated addresses, coil 3 writable (safe 0),"
              + " swap only when burner == 0, watch "
              + SiteGrant.WATCH_S
              + " s with no fault allowed, rollback auto");
      SoftwareKey identity = SoftwareKey.generate(KeyType.ECDSA_P256);
      detail(
          "gateway identity key: ECDSA P-256 (software key here; a PKCS#11 token or the TPM on a"
              + " real gateway), key id "
              + identity.keyId().substring(0, 16)
              + "…");

      step(4, "bundles: boiler-control 1.0.0, 1.1.0 and 1.2.0 from " + settings.wasm());
      Path v10 = buildBundle("1.0", work.resolve("release"));
      Path v11 = buildBundle("1.1", work.resolve("release"));
      Path v12 = buildBundle("1.2", work.resolve("release"));
      detail(describeBundle(v10));
      detail(describeBundle(v11));
      detail(describeBundle(v12) + "  ← traps at its tick 101: the faulty release");

      step(5, "release 1.0.0: sign, publish to the broker, director assigns it to " + GATEWAY);
      ReleaseEngineer.Released first = release(engineer, v10, releaseSide, work);
      byte[] imageTimestampV2 = first.timestamp();
      Director.Published assigned10 =
          director.assignAndPublish(releaseSide, first.target(), grant, "rollout-1");
      detail(
          "director version "
              + assigned10.version()
              + " names "
              + first.target().path()
              + " (same length, SHA-256 and SHA-512) and signs the grant's hashes");

      step(6, "gateway " + GATEWAY + ": the update agent starts and installs 1.0.0 by itself");
      InMemoryCredentials credentials =
          new InMemoryCredentials()
              .putPsk(
                  SiteGrant.THERMOSTAT_CREDENTIAL,
                  "graft-gateway",
                  pskKey.getBytes(StandardCharsets.UTF_8));
      AgentConfig config =
          AgentConfig.of(
                  GATEWAY,
                  ReleaseEngineer.HARDWARE,
                  work.resolve("gateway/data"),
                  new Anchors(
                      engineer.rootAnchor(),
                      director.rootAnchor(),
                      Grants.siteKeysFromFiles(List.of(director.siteKeyAnchor()), 1)),
                  identity,
                  MqttOptions.of(broker.uri()),
                  grant,
                  credentials)
              .withSchedule(
                  AgentConfig.Schedule.defaults()
                      .withHealthEvery(Duration.ofSeconds(5))
                      .withTopicDelay(Duration.ofMillis(200)))
              .withMaxTimestampLifetime(Director.LIFETIME);
      BlockingQueue<UpdateOutcome> outcomes = new LinkedBlockingQueue<>();
      try (UpdateAgent agent = UpdateAgent.start(config)) {
        agent.addListener(outcomes::add);
        detail(
            "commissioned with the two roots and the site key; journal (H2), modules and trusted"
                + " metadata in "
                + work.relativize(config.dataDirectory()));
        UpdateOutcome.Committed installed = awaitCommitted(agent, site, outcomes, "1.0.0");
        detail(describePipeline(installed));

        step(7, "release 1.1.0: sign, publish, assign; the agent swaps it in live by itself");
        outcomes.clear();
        ReleaseEngineer.Released second = release(engineer, v11, releaseSide, work);
        Director.Published assigned11 =
            director.assignAndPublish(releaseSide, second.target(), grant, "rollout-2");
        detail("director version " + assigned11.version() + " names " + second.target().path());
        UpdateOutcome.Committed update = awaitCommitted(agent, site, outcomes, "1.1.0");
        UpdateOutcome.SwapReport swap = update.swap();
        detail(describePipeline(update));
        detail(
            "SWAPPED at tick "
                + swap.firstSlot()
                + ": 1.0.0 ran tick "
                + swap.lastSlotBefore()
                + ", 1.1.0 ran tick "
                + swap.firstSlot()
                + " — "
                + swap.missedAtSwap()
                + " missed ticks; state carried over: "
                + describe(swap.state()));
        if (swap.missedAtSwap() != 0) {
          throw new IllegalStateException(
              "a tick was missed at the swap: 1.0.0 ran slot "
                  + swap.lastSlotBefore()
                  + ", 1.1.0 first ran slot "
                  + swap.firstSlot());
        }
        if (!(swap.state() instanceof StateLoad.Loaded)) {
          throw new IllegalStateException("1.1.0 did not take over 1.0.0's state: " + swap.state());
        }

        step(8, "attacks: each is refused and reported; the running logic does not change");
        attackRollback(agent, releaseSide, imageTimestampV2, second.timestamp());
        attackOtherGateway(agent, releaseSide, director, second.target(), grant, assigned11);
        ReleaseEngineer.Released third = release(engineer, v12, releaseSide, work);
        byte[] genuineChunk = attackTamperedChunk(agent, releaseSide, director, third, grant);

        step(9, "faulty release 1.2.0 assigned: the agent watches it and rolls back by itself");
        awaitQuiet(agent, outcomes); // the checks the tampered assignment set off are all done
        releaseSide.publishAndWait(
            Topics.chunk(Objects.requireNonNull(third.target().hashes().get("sha256")), 0),
            genuineChunk,
            true);
        outcomes.clear();
        Director.Published assigned12 =
            director.assignAndPublish(releaseSide, third.target(), grant, "rollout-4");
        detail(
            "the genuine chunk is back on the broker; director version "
                + assigned12.version()
                + " names "
                + third.target().path()
                + " again");
        UpdateOutcome.WatchFailed failed = awaitWatchFailed(agent, site, outcomes);
        detail(describePipeline(failed.swap()));
        detail("ROLLED BACK by itself: " + failed.explanation());
        showBoiler(agent, site, settings.watch());
        if (failed.action() != UpdateOutcome.RollbackAction.ROLLED_BACK) {
          throw new IllegalStateException("1.2.0 was not rolled back: " + failed.explanation());
        }

        AgentStatus status = agent.status();
        ScanStats stats = status.scan().orElseThrow();
        StatusCheck statusCheck = verifyStatus(releaseSide, identity, status);
        verifyAuditExport(agent, engineer, releaseSide, identity);
        Outcome outcome =
            new Outcome(
                swap.lastSlotBefore(),
                swap.firstSlot(),
                swap.missedAtSwap(),
                swap.state() instanceof StateLoad.Loaded,
                stats.version(),
                List.copyOf(attacks),
                failed.explanation(),
                minTemperature,
                maxTemperature,
                site.plant().reading().setpointC(),
                stats,
                statusCheck);
        summary(outcome, started);
        if (!outcome.inBand()) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "the boiler left its band: %.1f–%.1f °C around setpoint %.1f ± %.0f",
                  minTemperature,
                  maxTemperature,
                  outcome.setpointC(),
                  BAND_C));
        }
        return outcome;
      }
    }
  }

  private ReleaseEngineer.Released release(
      ReleaseEngineer engineer, Path bundle, MqttConnection connection, Path work)
      throws IOException {
    ReleaseEngineer.Released released =
        engineer.release(bundle, CHUNK_SIZE, connection, work.resolve("release/publish.journal"));
    detail(
        "graft release add "
            + bundle.getFileName()
            + " --hardware "
            + ReleaseEngineer.HARDWARE
            + " --chunk-size "
            + CHUNK_SIZE
            + "  (staged: next release counter, chunk list hash)");
    detail("graft sign targets --key keys/targets-1.pem  (composite signature by the targets key)");
    for (String line : released.signed()) {
      if (line.strip().startsWith("+ added") || line.startsWith("Published")) {
        detail("  │ " + line.strip());
      }
    }
    PublishReport report = released.report();
    detail(
        String.format(
            Locale.ROOT,
            "published to the broker: %d messages (%d bytes) sent, %d chunks already there skipped,"
                + " %d ms",
            report.sent(),
            report.bytesSent(),
            report.skipped(),
            report.elapsed().toMillis()));
    return released;
  }

  /**
   * Waits for the agent to commit {@code version}, showing the boiler once a second meanwhile; any
   * other final outcome (a refusal, a failed watch) ends the demo with it.
   */
  private UpdateOutcome.Committed awaitCommitted(
      UpdateAgent agent, SimulatedSite site, BlockingQueue<UpdateOutcome> outcomes, String version)
      throws InterruptedException {
    UpdateOutcome outcome = awaitDecision(agent, site, outcomes);
    if (outcome instanceof UpdateOutcome.Committed committed
        && committed.to().version().equals(version)) {
      return committed;
    }
    throw new IllegalStateException("expected " + version + " to be committed, got " + outcome);
  }

  private UpdateOutcome.WatchFailed awaitWatchFailed(
      UpdateAgent agent, SimulatedSite site, BlockingQueue<UpdateOutcome> outcomes)
      throws InterruptedException {
    UpdateOutcome outcome = awaitDecision(agent, site, outcomes);
    if (outcome instanceof UpdateOutcome.WatchFailed failed) {
      return failed;
    }
    throw new IllegalStateException(
        "expected the faulty release to fail its watch, got " + outcome);
  }

  /** The next outcome that decided something (not "up to date", not "held, trying again"). */
  private UpdateOutcome awaitDecision(
      UpdateAgent agent, SimulatedSite site, BlockingQueue<UpdateOutcome> outcomes)
      throws InterruptedException {
    long deadline = System.nanoTime() + DECISION_WITHIN.toNanos();
    String shownState = "";
    while (System.nanoTime() < deadline) {
      UpdateOutcome outcome = outcomes.poll(1, TimeUnit.SECONDS);
      if (outcome == null) {
        AgentStatus status = agent.status();
        String state = status.update().map(u -> u.state() + " " + u.target()).orElse("idle");
        if (!state.equals(shownState)) {
          shownState = state;
          detail("  agent: " + state);
        }
        showBoilerLine(agent, site);
        continue;
      }
      switch (outcome) {
        case UpdateOutcome.UpToDate _ -> {}
        case UpdateOutcome.Held(String target, String reason) ->
            detail("  held: " + target + ": " + reason + " (the next check tries again)");
        case UpdateOutcome.Blocked(String reason) -> detail("  blocked: " + reason);
        default -> {
          return outcome;
        }
      }
    }
    throw new IllegalStateException(
        "the update agent decided nothing within " + DECISION_WITHIN.toSeconds() + " s");
  }

  /** Waits until the agent is between updates and has reported nothing for two seconds. */
  private static void awaitQuiet(UpdateAgent agent, BlockingQueue<UpdateOutcome> outcomes)
      throws InterruptedException {
    long deadline = System.nanoTime() + DECISION_WITHIN.toNanos();
    UpdateOutcome last = null;
    while (System.nanoTime() < deadline) {
      UpdateOutcome outcome = outcomes.poll(2, TimeUnit.SECONDS);
      if (outcome == null && agent.status().update().isEmpty()) {
        return;
      }
      last = outcome != null ? outcome : last;
    }
    throw new IllegalStateException(
        "the update agent did not come to rest within "
            + DECISION_WITHIN.toSeconds()
            + " s: "
            + agent.status().update().map(Object::toString).orElse("between updates")
            + "; last outcome: "
            + last);
  }

  /**
   * The operator's check of the gateway's audit log: the agent exports it, and {@code graft audit
   * verify} checks the hash chain and that it reaches the head the signed status names.
   */
  private void verifyAuditExport(
      UpdateAgent agent, ReleaseEngineer engineer, MqttConnection connection, SoftwareKey identity)
      throws IOException {
    Path export = settings.work().resolve("gateway/audit-export");
    agent.exportAudit(export);
    Path status = export.resolve("status.json");
    writeAtomically(status, retained(connection, Topics.gatewayStatus(GATEWAY)));
    Path key = export.resolve("identity.pub");
    writeAtomically(key, PublicKeyFile.encode(identity.publicKey()));
    List<String> printed = engineer.auditVerify(export, status, key);
    detail(
        "graft audit verify "
            + settings.work().relativize(export)
            + " --status status.json --identity-key identity.pub");
    printed.forEach(line -> detail("  │ " + line));
  }

  /** What the agent did in one pipeline run, in a few lines. */
  private String describePipeline(UpdateOutcome.Committed committed) {
    return describePipeline(committed.swap())
        + "\n      watched: "
        + committed.watch().describe()
        + " → COMMITTED "
        + committed.to().name()
        + " "
        + committed.to().version()
        + " (release floor "
        + committed.to().releaseCounter()
        + ")";
  }

  private String describePipeline(UpdateOutcome.SwapReport swap) {
    return "FETCH/DOWNLOAD/STAGE: both repositories agree, chunks and whole file verified, manifest"
        + " matches the signed release and lies within the grant"
        + "\n      PREFLIGHT: self-test "
        + swap.preflight().selfTest()
        + ", "
        + swap.preflight().shadowTicks().size()
        + " shadow ticks on live inputs ("
        + swap.preflight().faults().size()
        + " faults), state round trip "
        + swap.preflight().stateRoundTrip()
        + "\n      shadow vs live: "
        + String.join("; ", swap.shadowComparison());
  }

  /** Shows the boiler for {@code duration}: one line a second. */
  private void showBoiler(UpdateAgent agent, SimulatedSite site, Duration duration)
      throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      Thread.sleep(1000);
      showBoilerLine(agent, site);
    }
  }

  private void showBoilerLine(UpdateAgent agent, SimulatedSite site) {
    PlantReading reading = site.plant().reading();
    minTemperature = Math.min(minTemperature, reading.temperatureC());
    maxTemperature = Math.max(maxTemperature, reading.temperatureC());
    Optional<ScanStats> scan = agent.status().scan();
    detail(
        String.format(
            Locale.ROOT,
            "  boiler %5.1f °C  setpoint %4.1f °C  burner %-3s │ %s",
            reading.temperatureC(),
            reading.setpointC(),
            reading.burner() ? "on" : "off",
            scan.map(stats ->
                    String.format(
                        Locale.ROOT,
                        "%s %s  ticks %4d  missed %d  faults %d",
                        stats.module(),
                        stats.version(),
                        stats.ticks(),
                        stats.missedSlots(),
                        stats.faults()))
                .orElse("no logic running")));
  }

  private void attackRollback(
      UpdateAgent agent, MqttConnection attacker, byte[] oldTimestamp, byte[] currentTimestamp)
      throws IOException, InterruptedException {
    attack(
        agent,
        "a rollback: the image repository's older, validly signed timestamp replayed on the broker",
        () -> attacker.publishAndWait(Topics.repoTimestamp(), oldTimestamp, true),
        () -> attacker.publishAndWait(Topics.repoTimestamp(), currentTimestamp, true));
  }

  private void attackOtherGateway(
      UpdateAgent agent,
      MqttConnection attacker,
      Director director,
      TargetFile target,
      byte[] grant,
      Director.Published current)
      throws IOException, InterruptedException {
    Director.Published forOther = director.signedFor("gw-demo-2", target, grant);
    String topic = Topics.directorMetadata(GATEWAY, "timestamp", OptionalLong.empty());
    attack(
        agent,
        "director metadata for another gateway (gw-demo-2), correctly signed, replayed to "
            + GATEWAY,
        () -> attacker.publishAndWait(topic, forOther.timestamp(), true),
        () -> attacker.publishAndWait(topic, current.timestamp(), true));
  }

  /**
   * Release 1.2.0 is published, one bit of its first chunk flipped on the broker, and then the
   * director assigns it: the agent refuses the download (the chunk does not match the signed chunk
   * list) and keeps 1.1.0. Returns the genuine chunk, which the caller puts back: until then every
   * check the assignment triggers is refused the same way.
   */
  private byte[] attackTamperedChunk(
      UpdateAgent agent,
      MqttConnection attacker,
      Director director,
      ReleaseEngineer.Released release,
      byte[] grant)
      throws IOException, InterruptedException {
    String sha256 = Objects.requireNonNull(release.target().hashes().get("sha256"));
    String topic = Topics.chunk(sha256, 0);
    byte[] genuine = retained(attacker, topic);
    byte[] tampered = genuine.clone();
    tampered[tampered.length / 2] ^= 0x01;
    attack(
        agent,
        "a tampered chunk: one bit of chunk 0 of "
            + release.target().path()
            + " flipped on the broker, then the director assigns it",
        () -> {
          attacker.publishAndWait(topic, tampered, true);
          director.assignAndPublish(attacker, release.target(), grant, "rollout-3");
        },
        () -> {},
        List.of("modules")); // the new release and assignment update both repositories' metadata
    return genuine;
  }

  @FunctionalInterface
  private interface Action {
    void run() throws IOException;
  }

  /**
   * Tampers, asks the agent to check, restores: the check must be refused, and the running module,
   * its tick count and the trusted metadata must show that nothing changed.
   */
  private void attack(UpdateAgent agent, String what, Action tamper, Action restore)
      throws IOException, InterruptedException {
    attack(agent, what, tamper, restore, List.of("image", "director", "modules"));
  }

  /**
   * @param unchanged the directories of the gateway's data that the refused update must leave as
   *     they were (an attack that comes with a genuine release and assignment changes the trusted
   *     metadata, legitimately)
   */
  private void attack(
      UpdateAgent agent, String what, Action tamper, Action restore, List<String> unchanged)
      throws IOException, InterruptedException {
    ScanStats before = agent.status().scan().orElseThrow();
    Path data = settings.work().resolve("gateway/data");
    Map<String, String> trusted = fingerprint(data, unchanged);
    detail(what);
    tamper.run();
    UpdateOutcome outcome;
    try {
      outcome = agent.checkNow();
    } finally {
      restore.run();
    }
    if (!(outcome instanceof UpdateOutcome.Refused refused)) {
      throw new IllegalStateException("the gateway did not refuse " + what + ": " + outcome);
    }
    Thread.sleep(500); // a few ticks, to show the loop kept running
    ScanStats after = agent.status().scan().orElseThrow();
    boolean same =
        after.version().equals(before.version())
            && after.swaps() == before.swaps()
            && after.ticks() > before.ticks()
            && trusted.equals(fingerprint(data, unchanged));
    detail("  REFUSED in " + refused.stage() + ": " + refused.reason());
    detail(
        "  running: "
            + after.module()
            + " "
            + after.version()
            + ", still ticking ("
            + after.ticks()
            + " ticks); "
            + String.join(", ", unchanged)
            + " unchanged: "
            + (same ? "yes" : "NO")
            + "; the refusal is in the audit log and in signed events");
    if (!same) {
      throw new IllegalStateException("a refused update changed the gateway: " + what);
    }
    attacks.add(new Attack(what, refused.stage() + ": " + refused.reason(), same));
  }

  /**
   * Reads the gateway's retained {@code status} from the broker and verifies it as the rollout
   * service will: the identity key's signature, the gateway id, the counter; then compares its
   * audit head with the agent's.
   */
  private StatusCheck verifyStatus(
      MqttConnection connection, SoftwareKey identity, AgentStatus status) {
    byte[] report = retained(connection, Topics.gatewayStatus(GATEWAY));
    Verification verification =
        ReportVerifier.withDefaults().verify(report, identity.publicKey(), GATEWAY, 0);
    if (!(verification instanceof Verification.Verified(Report verified))) {
      throw new IllegalStateException(
          "the gateway's status report does not verify: " + verification);
    }
    long auditSeq = verified.content().object("audit").integer("seq");
    detail(
        "signed status on "
            + Topics.gatewayStatus(GATEWAY)
            + ": verified with the identity key, counter "
            + verified.counter()
            + ", running "
            + verified.content().object("running").string("version")
            + ", audit chain head at record "
            + auditSeq
            + " (the agent's head: "
            + status.auditHead().map(AgentStatus.AuditHead::seq).orElse(0L)
            + ")");
    return new StatusCheck(verified.counter(), auditSeq);
  }

  private void summary(Outcome outcome, long started) {
    step(10, "summary");
    detail("broker, keys, field site and update agent: started and stopped by this demo");
    detail(
        "releases 1.0.0, 1.1.0 and 1.2.0: signed with composite keys, published over MQTT,"
            + " verified against two repositories that agree; the agent took each through FETCH,"
            + " DOWNLOAD, STAGE, PREFLIGHT, SWAP and WATCH by itself");
    detail(
        "hot swap 1.0.0 → 1.1.0: 1.0.0 ran its last tick at slot "
            + outcome.lastSlotBefore()
            + ", 1.1.0 its first at slot "
            + outcome.firstSlotAfter()
            + "; missed ticks at the swap: "
            + outcome.missedAtSwap()
            + "; state carried over: "
            + (outcome.stateCarriedOver() ? "yes" : "no"));
    detail("faulty 1.2.0: " + outcome.rollback());
    detail(
        String.format(
            Locale.ROOT,
            "boiler: %.1f–%.1f °C while watched, setpoint %.1f °C ± %.0f: %s",
            outcome.minTemperatureC(),
            outcome.maxTemperatureC(),
            outcome.setpointC(),
            BAND_C,
            outcome.inBand() ? "in band" : "OUT OF BAND"));
    detail(
        "scan loop: "
            + outcome.finalStats().ticks()
            + " ticks, "
            + outcome.finalStats().missedSlots()
            + " missed in total, "
            + outcome.finalStats().faults()
            + " faults, "
            + outcome.finalStats().swaps()
            + " swaps; running "
            + outcome.runningVersion());
    detail("attacks refused: " + outcome.attacks().size() + " of " + outcome.attacks().size());
    detail(
        "signed status verified (counter "
            + outcome.status().counter()
            + "); audit chain of "
            + outcome.status().auditSeq()
            + " records");
    detail(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - started) / 1e9));
  }

  private Path buildBundle(String release, Path directory) throws IOException {
    return buildBundle(settings.wasm(), release, directory);
  }

  /**
   * Writes {@code boiler-control-<release>.0.graft} into {@code directory} from the example module
   * and manifest built in {@code wasmDirectory}.
   */
  static Path buildBundle(Path wasmDirectory, String release, Path directory) throws IOException {
    Path wasm = wasmDirectory.resolve(MODULE + "-" + release + ".wasm");
    Path manifest = wasmDirectory.resolve(MODULE + "-" + release + ".manifest.json");
    if (!Files.isRegularFile(wasm) || !Files.isRegularFile(manifest)) {
      throw new IllegalStateException(
          "missing "
              + wasm
              + " or its manifest; build the examples first (./mvnw -q -DskipTests package -pl"
              + " demo -am)");
    }
    byte[] bundle = BundleWriter.write(Files.readAllBytes(manifest), Files.readAllBytes(wasm));
    Path file = directory.resolve(MODULE + "-" + release + ".0.graft");
    writeAtomically(file, bundle);
    return file;
  }

  private String describeBundle(Path bundle) throws IOException {
    return bundle.getFileName()
        + ": "
        + Files.size(bundle)
        + " bytes (manifest.json + module.wasm, STORED zip, no signature of its own)";
  }

  private static String describe(StateLoad state) {
    return switch (state) {
      case StateLoad.Loaded(int bytes) -> "yes (" + bytes + " bytes, graft_save → graft_load)";
      case StateLoad.Skipped(String reason) -> "no: " + reason;
      case StateLoad.Failed(var fault) -> "no, the load faulted: " + fault;
    };
  }

  /** The retained message on {@code topic}, read over {@code connection} (unsubscribed after). */
  static byte[] retained(MqttConnection connection, String topic) {
    CompletableFuture<byte[]> got = new CompletableFuture<>();
    connection.subscribe(topic, (t, payload, retained) -> got.complete(payload));
    try {
      return got.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("no retained message on " + topic, e);
    } finally {
      connection.unsubscribe(topic);
    }
  }

  /** The SHA-256 of every file under the named subdirectories of {@code directory}. */
  static Map<String, String> fingerprint(Path directory, List<String> subdirectories)
      throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        Path relative = directory.relativize(file);
        if (subdirectories.stream().noneMatch(relative::startsWith)) {
          continue;
        }
        files.put(relative.toString(), Digests.hex("SHA-256", Files.readAllBytes(file)));
      }
    }
    return files;
  }

  private static String randomSecret() {
    byte[] secret = new byte[18];
    new SecureRandom().nextBytes(secret);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    AtomicFile.write(file, bytes, AtomicFile.READABLE_BY_ALL);
  }

  private static void logTo(Path file) throws IOException {
    Logger root = Logger.getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    FileHandler handler = new FileHandler(file.toString());
    handler.setFormatter(new SimpleFormatter());
    root.addHandler(handler);
  }

  private void step(int n, String text) {
    out.println();
    out.println("[" + n + "/" + STEPS + "] " + text);
  }

  private void detail(String text) {
    out.println("      " + text);
  }

  /**
   * Empties the work directory of an earlier run, or creates it. A non-empty directory without the
   * demo's marker is refused: the demo must never delete files it did not make.
   */
  private static void emptyWorkDirectory(Path work) throws IOException {
    Path marker = work.resolve(MARKER);
    if (Files.isDirectory(work) && !Files.exists(marker)) {
      try (Stream<Path> entries = Files.list(work)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalStateException(
              "work directory "
                  + work
                  + " is not empty and was not made by the demo; give a new or empty directory");
        }
      }
    }
    deleteTree(work);
    Files.createDirectories(work);
    Files.writeString(marker, "made by the Graft demo (scripts/run); emptied at its next run\n");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
