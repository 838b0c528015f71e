package dev.graft.demo;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.director.Agreement;
import dev.graft.bundle.format.BundleWriter;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tufclient.AtomicFile;
import dev.graft.gateway.field.InMemoryCredentials;
import dev.graft.gateway.runtime.StateLoad;
import dev.graft.gateway.scan.ScanStats;
import dev.graft.gateway.scan.SwapOutcome;
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
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;

/**
 * The demo behind {@code scripts/run}: a broker, software keys, a simulated field site and a
 * gateway; release 1.0 of the boiler controller is signed, published over MQTT, verified and run;
 * then 1.1 is released and swapped in live, between two ticks; then attacks are refused while the
 * boiler keeps running. Each step is numbered and says what it proves.
 */
public final class Demo {
  static final String GATEWAY = "gw-demo-1";
  static final String MODULE = "boiler-control";
  static final int STEPS = 9;

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

  /** The demo's outcome, for the summary and the integration test. */
  record Outcome(
      long lastSlotBefore,
      long firstSlotAfter,
      long missedAtSwap,
      long missedWhileUpdating,
      boolean stateCarriedOver,
      String runningVersion,
      List<Attack> attacks,
      double minTemperatureC,
      double maxTemperatureC,
      double setpointC,
      ScanStats finalStats) {
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
        MqttConnection releaseSide = MqttConnection.open(MqttOptions.of(broker.uri()));
        MqttConnection gatewaySide = MqttConnection.open(MqttOptions.of(broker.uri()))) {
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
              + " swap only when burner == 0");

      step(4, "bundles: boiler-control 1.0.0 and 1.1.0 from " + settings.wasm());
      Path v10 = buildBundle("1.0", work.resolve("release"));
      Path v11 = buildBundle("1.1", work.resolve("release"));
      detail(describeBundle(v10));
      detail(describeBundle(v11));

      step(5, "release 1.0.0: sign, publish to the broker, director assigns it to " + GATEWAY);
      ImageRelease first = release(engineer, v10, releaseSide, work);
      byte[] imageTimestampV2 = first.timestamp();
      Director.Published assigned10 =
          director.assignAndPublish(releaseSide, first.target(), grant, "rollout-1");
      detail(
          "director version "
              + assigned10.version()
              + " names "
              + first.target().path()
              + " (same length, SHA-256 and SHA-512) and signs the grant's hashes");

      step(6, "gateway " + GATEWAY + ": fetch over MQTT, verify, check the grant, run 1.0.0");
      InMemoryCredentials credentials =
          new InMemoryCredentials()
              .putPsk(
                  SiteGrant.THERMOSTAT_CREDENTIAL,
                  "graft-gateway",
                  pskKey.getBytes(StandardCharsets.UTF_8));
      try (Gateway gateway =
          new Gateway(
              GATEWAY,
              work.resolve("gateway"),
              gatewaySide,
              engineer.rootAnchor(),
              director.rootAnchor(),
              director.siteKeyAnchor(),
              grant,
              credentials)) {
        Gateway.Prepared running = install(gateway, "1.0.0");
        gateway.start(running);
        detail("scan loop started: boiler-control 1.0.0 every 100 ms; the boiler under control:");
        watch(gateway, site, settings.watch());

        step(7, "release 1.1.0: sign, publish, assign; the gateway swaps it in live");
        ImageRelease second = release(engineer, v11, releaseSide, work);
        Director.Published assigned11 =
            director.assignAndPublish(releaseSide, second.target(), grant, "rollout-2");
        detail("director version " + assigned11.version() + " names " + second.target().path());
        Gateway.Prepared next = install(gateway, "1.1.0");
        Gateway.Swap swap = gateway.update(next);
        if (!(swap.outcome()
            instanceof SwapOutcome.Swapped(long firstSlot, StateLoad state, var _))) {
          throw new IllegalStateException("the swap did not happen: " + swap.outcome());
        }
        detail(
            "preflight: self-test "
                + swap.preflight().selfTest()
                + ", "
                + swap.preflight().shadowTicks().size()
                + " shadow ticks on live inputs, "
                + swap.preflight().faults().size()
                + " faults, state round trip "
                + swap.preflight().stateRoundTrip());
        boolean carried = state instanceof StateLoad.Loaded;
        detail(
            "SWAPPED at tick "
                + firstSlot
                + ": 1.0.0 ran tick "
                + swap.lastSlotBefore()
                + ", 1.1.0 ran tick "
                + swap.firstSlotAfter()
                + " — "
                + swap.missedAtSwap()
                + " missed ticks; state carried over: "
                + describe(state));
        detail(
            "missed ticks anywhere while the update was preflighted and waited for burner == 0: "
                + swap.missedWhileUpdating());
        if (swap.missedAtSwap() != 0) {
          throw new IllegalStateException(
              "a tick was missed at the swap: 1.0.0 ran slot "
                  + swap.lastSlotBefore()
                  + ", 1.1.0 first ran slot "
                  + swap.firstSlotAfter());
        }
        if (!carried) {
          throw new IllegalStateException("1.1.0 did not take over 1.0.0's state: " + state);
        }
        watch(gateway, site, settings.watch());

        step(8, "attacks: each is refused by the trust core; the running logic does not change");
        attackTamperedChunk(gateway, releaseSide, second);
        attackRollback(gateway, releaseSide, imageTimestampV2, second.timestamp());
        attackOtherGateway(gateway, releaseSide, director, second.target(), grant, assigned11);
        detail("after the attacks the gateway checks again and accepts the genuine metadata:");
        Agreement.Agreed again = gateway.check();
        detail("  director and image repository agree on " + again.target().path());

        ScanStats stats = gateway.stats();
        Outcome outcome =
            new Outcome(
                swap.lastSlotBefore(),
                swap.firstSlotAfter(),
                swap.missedAtSwap(),
                swap.missedWhileUpdating(),
                carried,
                stats.version(),
                List.copyOf(attacks),
                minTemperature,
                maxTemperature,
                site.plant().reading().setpointC(),
                stats);
        gateway.lastFault().ifPresent(fault -> detail("last faulted tick: " + fault));
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

  /** A published release: its verified-to-be target entry and the timestamp that covers it. */
  @SuppressWarnings("ArrayRecordComponent") // private to the demo, never compared
  private record ImageRelease(TargetFile target, byte[] timestamp) {}

  private ImageRelease release(
      ReleaseEngineer engineer, Path bundle, MqttConnection connection, Path work)
      throws IOException {
    engineer.addRelease(bundle, CHUNK_SIZE);
    detail(
        "graft release add "
            + bundle.getFileName()
            + " --hardware "
            + ReleaseEngineer.HARDWARE
            + " --chunk-size "
            + CHUNK_SIZE
            + "  (staged: next release counter, chunk list hash)");
    detail("graft sign targets --key keys/targets-1.pem  (composite signature by the targets key)");
    for (String line : engineer.signTargets()) {
      if (line.strip().startsWith("+ added") || line.startsWith("Published")) {
        detail("  │ " + line.strip());
      }
    }
    ImageRepositoryFiles files = ImageRepositoryFiles.read(engineer.repository(), CHUNK_SIZE);
    PublishReport report = files.publish(connection, work.resolve("release/publish.journal"));
    detail(
        String.format(
            Locale.ROOT,
            "published to the broker: %d messages (%d bytes) sent, %d chunks already there skipped,"
                + " %d ms",
            report.sent(),
            report.bytesSent(),
            report.skipped(),
            report.elapsed().toMillis()));
    TargetFile target = files.target(bundle.getFileName().toString());
    return new ImageRelease(target, files.timestamp());
  }

  /** The gateway's whole install path for one version; each line says what was checked. */
  private Gateway.Prepared install(Gateway gateway, String expectedVersion) throws IOException {
    Agreement.Agreed agreed = gateway.check();
    detail(
        "refreshed image repository and director over MQTT: every signature (both halves of"
            + " each composite key), version, expiry and hash checked");
    detail(
        "director and image repository agree on "
            + agreed.target().path()
            + " (release counter "
            + agreed.release().releaseCounter()
            + ", hardware "
            + ReleaseEngineer.HARDWARE
            + ", floor "
            + gateway.floor()
            + "); the grant matches the site key's signature");
    Gateway.Verified verified = gateway.fetch(agreed);
    detail(
        "downloaded "
            + verified.download().bytesReceived()
            + " bytes in "
            + verified.download().chunksReceived()
            + " chunks, each checked on arrival against the signed chunk list; whole file"
            + " matches length, SHA-256 and SHA-512");
    detail(
        "bundle read strictly: manifest "
            + verified.manifest().name()
            + " "
            + verified.manifest().version()
            + " matches the signed release; capability check against the grant: accepted");
    if (!verified.manifest().version().equals(expectedVersion)) {
      throw new IllegalStateException(
          "expected to install " + expectedVersion + ", got " + verified.manifest().version());
    }
    Gateway.Prepared prepared = gateway.load(verified);
    detail("module validated (ABI graft/1), compiled and instantiated within the grant's ceilings");
    return prepared;
  }

  /** Shows the boiler for {@code duration}: one line a second. */
  private void watch(Gateway gateway, SimulatedSite site, Duration duration)
      throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      Thread.sleep(1000);
      PlantReading reading = site.plant().reading();
      ScanStats stats = gateway.stats();
      minTemperature = Math.min(minTemperature, reading.temperatureC());
      maxTemperature = Math.max(maxTemperature, reading.temperatureC());
      detail(
          String.format(
              Locale.ROOT,
              "  boiler %5.1f °C  setpoint %4.1f °C  burner %-3s │ %s %s  ticks %4d  missed %d"
                  + "  faults %d",
              reading.temperatureC(),
              reading.setpointC(),
              reading.burner() ? "on" : "off",
              stats.module(),
              stats.version(),
              stats.ticks(),
              stats.missedSlots(),
              stats.faults()));
    }
  }

  private void attackTamperedChunk(Gateway gateway, MqttConnection attacker, ImageRelease release)
      throws IOException {
    String sha256 = release.target().hashes().get("sha256");
    String topic = Topics.chunk(Objects.requireNonNull(sha256), 0);
    byte[] genuine = retained(attacker, topic);
    byte[] tampered = genuine.clone();
    tampered[tampered.length / 2] ^= 0x01;
    attack(
        gateway,
        "a tampered chunk: one bit of chunk 0 of "
            + release.target().path()
            + " flipped on the broker",
        () -> attacker.publishAndWait(topic, tampered, true),
        () -> gateway.fetch(gateway.check()),
        () -> attacker.publishAndWait(topic, genuine, true));
  }

  private void attackRollback(
      Gateway gateway, MqttConnection attacker, byte[] oldTimestamp, byte[] currentTimestamp)
      throws IOException {
    attack(
        gateway,
        "a rollback: the image repository's older, validly signed timestamp replayed on the broker",
        () -> attacker.publishAndWait(Topics.repoTimestamp(), oldTimestamp, true),
        gateway::check,
        () -> attacker.publishAndWait(Topics.repoTimestamp(), currentTimestamp, true));
  }

  private void attackOtherGateway(
      Gateway gateway,
      MqttConnection attacker,
      Director director,
      TargetFile target,
      byte[] grant,
      Director.Published current)
      throws IOException {
    Director.Published forOther = director.signedFor("gw-demo-2", target, grant);
    String topic = Topics.directorMetadata(GATEWAY, "timestamp", OptionalLong.empty());
    attack(
        gateway,
        "director metadata for another gateway (gw-demo-2), correctly signed, replayed to "
            + GATEWAY,
        () -> attacker.publishAndWait(topic, forOther.timestamp(), true),
        gateway::check,
        () -> attacker.publishAndWait(topic, current.timestamp(), true));
  }

  @FunctionalInterface
  private interface Action {
    void run() throws IOException;
  }

  private void attack(Gateway gateway, String what, Action tamper, Action update, Action restore)
      throws IOException {
    ScanStats before = gateway.stats();
    Map<String, String> trusted = fingerprint(gateway.trustedStores());
    detail(what);
    tamper.run();
    TrustException refusal = null;
    try {
      update.run();
    } catch (TrustException e) {
      refusal = e;
    } finally {
      restore.run();
    }
    if (refusal == null) {
      throw new IllegalStateException("the gateway accepted " + what);
    }
    try {
      Thread.sleep(500); // a few ticks, to show the loop kept running
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    ScanStats after = gateway.stats();
    boolean unchanged =
        after.version().equals(before.version())
            && after.swaps() == before.swaps()
            && after.ticks() > before.ticks()
            && trusted.equals(fingerprint(gateway.trustedStores()));
    detail("  REFUSED  " + refusal.getClass().getSimpleName() + ": " + refusal.getMessage());
    detail(
        "  running: "
            + after.module()
            + " "
            + after.version()
            + ", still ticking ("
            + after.ticks()
            + " ticks); trusted metadata unchanged: "
            + (unchanged ? "yes" : "NO"));
    if (!unchanged) {
      throw new IllegalStateException("a refused update changed the gateway: " + what);
    }
    attacks.add(
        new Attack(
            what, refusal.getClass().getSimpleName() + ": " + refusal.getMessage(), unchanged));
  }

  private void summary(Outcome outcome, long started) {
    step(9, "summary");
    detail("broker, keys, field site and gateway: started and stopped by this demo");
    detail(
        "releases 1.0.0 and 1.1.0: signed with composite keys, published over MQTT, verified"
            + " against two repositories that agree");
    detail(
        "hot swap: 1.0.0 ran its last tick at slot "
            + outcome.lastSlotBefore()
            + ", 1.1.0 its first at slot "
            + outcome.firstSlotAfter()
            + "; missed ticks at the swap: "
            + outcome.missedAtSwap()
            + "; state carried over: "
            + (outcome.stateCarriedOver() ? "yes" : "no"));
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
            + " faults; running "
            + outcome.runningVersion());
    detail("attacks refused: " + outcome.attacks().size() + " of " + outcome.attacks().size());
    detail(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - started) / 1e9));
  }

  private Path buildBundle(String release, Path directory) throws IOException {
    Path wasm = settings.wasm().resolve(MODULE + "-" + release + ".wasm");
    Path manifest = settings.wasm().resolve(MODULE + "-" + release + ".manifest.json");
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

  private static byte[] retained(MqttConnection connection, String topic) {
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

  private static Map<String, String> fingerprint(Path directory) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        Path relative = directory.relativize(file);
        if (relative.startsWith("downloads") || relative.startsWith("time")) {
          continue; // downloads are not trusted metadata; the time floor moves with the clock
        }
        files.put(relative.toString(), Director.hashes(Files.readAllBytes(file)).get("sha256"));
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
