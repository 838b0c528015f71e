package dev.graft.demo;

import dev.graft.bundle.Digests;
import dev.graft.bundle.director.Grants;
import dev.graft.bundle.format.BundleWriter;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.gateway.agent.AgentConfig;
import dev.graft.gateway.agent.Anchors;
import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.report.Report;
import dev.graft.gateway.agent.report.ReportVerifier;
import dev.graft.gateway.agent.report.Verification;
import dev.graft.gateway.field.InMemoryCredentials;
import dev.graft.sim.SimulatedSite;
import dev.graft.sim.SiteConfig;
import dev.graft.sim.plant.PlantParameters;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Everything an update agent under test needs, real and shared per test class: a mosquitto broker,
 * a simulated boiler site (Modbus TCP PLC, CoAP/DTLS thermostat), an image repository kept with
 * {@code graft}, a director with a site key, and the example modules. Each test starts its own
 * agent (its own gateway id and data directory), so tests do not see each other's gateways.
 */
final class AgentBench implements AutoCloseable {
  static final int CHUNK_SIZE = 1024;

  /** The thermostat's pre-shared key, on the simulated site and in every gateway's credentials. */
  private static final String PSK = "bench-psk";

  private final Path work;
  private final Path wasm;
  private final LocalBroker broker;
  private final SimulatedSite site;
  private final MqttConnection releaseSide;
  private final ReleaseEngineer engineer;
  private final List<AutoCloseable> opened = new ArrayList<>();

  private AgentBench(
      Path work,
      Path wasm,
      LocalBroker broker,
      SimulatedSite site,
      MqttConnection releaseSide,
      ReleaseEngineer engineer) {
    this.work = work;
    this.wasm = wasm;
    this.broker = broker;
    this.site = site;
    this.releaseSide = releaseSide;
    this.engineer = engineer;
  }

  /** Starts the broker, the site and the image repository under {@code work}. */
  static AgentBench start(Path work) throws IOException {
    Path wasm = Path.of(System.getProperty("graft.examples.wasm", "../examples/target/wasm"));
    LocalBroker broker = LocalBroker.start(work.resolve("broker"));
    SimulatedSite site = null;
    MqttConnection releaseSide = null;
    try {
      PlantParameters plant =
          new PlantParameters(15.0, 60.0, 0.5, 0.004, 0.05, 12.0, 0.1, 60.0, true, 5);
      site =
          SimulatedSite.start(
              SiteConfig.defaults().withSpeed(2.0).withPlant(plant).withPsk("graft-gateway", PSK));
      releaseSide = MqttConnection.open(MqttOptions.of(broker.uri()));
      ReleaseEngineer engineer =
          ReleaseEngineer.init(work.resolve("release/repo"), new ArrayList<>());
      return new AgentBench(work, wasm, broker, site, releaseSide, engineer);
    } catch (IOException | RuntimeException e) {
      if (releaseSide != null) {
        releaseSide.close();
      }
      if (site != null) {
        site.close();
      }
      broker.close();
      throw e;
    }
  }

  /** One gateway's director, site key and grant, and how to start its agent. */
  final class Gateway {
    final String id;
    final Director director;

    /** The grant the next agent starts with and the director signs: {@link #changeGrant}. */
    private volatile byte[] grant;

    final SoftwareKey identity = SoftwareKey.generate(KeyType.ECDSA_P256);
    final Path data;
    final List<byte[]> events = new CopyOnWriteArrayList<>();

    private Gateway(String id, byte[] grant) {
      this.id = id;
      this.director = new Director(id);
      this.grant = grant.clone();
      this.data = work.resolve("gateways").resolve(id);
      releaseSide.subscribe(
          Topics.gatewayEvents(id), (topic, payload, retained) -> events.add(payload));
    }

    /**
     * The operator's new grant for this gateway: the director signs it from the next {@link
     * #assign}, and an agent started after this runs under it (a running agent keeps its own).
     */
    void changeGrant(byte[] newGrant) {
      this.grant = newGrant.clone();
    }

    /** The grant this gateway is commissioned with now. */
    byte[] grant() {
      return grant.clone();
    }

    /**
     * The agent's configuration: checks only when asked ({@link UpdateAgent#checkNow()}), so a test
     * decides when each check happens.
     */
    AgentConfig config() {
      return config(identity);
    }

    AgentConfig config(Signer identityKey) {
      return config(identityKey, MqttOptions.of(broker.uri()));
    }

    /** The configuration with another way to the broker (a proxy that can cut the link). */
    AgentConfig config(MqttOptions brokerOptions) {
      return config(identity, brokerOptions);
    }

    /** The configuration with other broker options (a proxy in front of it, say). */
    AgentConfig config(Signer identityKey, MqttOptions brokerOptions) {
      return agentConfig(
          id,
          data,
          rootAnchor(),
          director.rootAnchor(),
          director.siteKeyAnchor(),
          grant,
          identityKey,
          brokerOptions);
    }

    /** Starts this gateway's agent; closed with the bench. */
    UpdateAgent start() {
      return start(config());
    }

    UpdateAgent start(AgentConfig config) {
      UpdateAgent agent = UpdateAgent.start(config);
      opened.add(agent);
      return agent;
    }

    /** Signs and publishes a director version naming {@code target} for this gateway. */
    Director.Published assign(TargetFile target) {
      return director.assignAndPublish(releaseSide, target, grant, "test");
    }

    /** The events received so far, verified with the identity key; any forged one fails. */
    List<Report> verifiedEvents() {
      List<Report> reports = new ArrayList<>();
      long last = 0;
      for (byte[] event : events) {
        Verification verification =
            ReportVerifier.withDefaults().verify(event, identity.publicKey(), id, last);
        if (!(verification instanceof Verification.Verified(Report report))) {
          throw new AssertionError("an event of " + id + " does not verify: " + verification);
        }
        last = report.counter();
        reports.add(report);
      }
      return reports;
    }

    /** The reasons of the {@code refused} events so far. */
    List<String> refusals() {
      return verifiedEvents().stream()
          .filter(r -> r.content().optionalString("event").orElse("").equals("refused"))
          .map(r -> r.content().string("reason"))
          .toList();
    }
  }

  /**
   * A bench gateway's configuration from its parts, for a process that has only the parts (the
   * child JVM of {@code AgentCrashTest}): manual checks, the bench's field credentials.
   */
  static AgentConfig agentConfig(
      String id,
      Path data,
      byte[] imageRoot,
      byte[] directorRoot,
      byte[] siteKey,
      byte[] grant,
      Signer identityKey,
      MqttOptions brokerOptions) {
    return new AgentConfig(
        id,
        ReleaseEngineer.HARDWARE,
        data,
        AgentConfig.Storage.H2_FILE,
        new Anchors(imageRoot, directorRoot, Grants.siteKeysFromFiles(List.of(siteKey), 1)),
        identityKey,
        brokerOptions,
        grant,
        credentials(),
        dev.graft.gateway.field.FieldOptions.defaults(),
        AgentConfig.Schedule.defaults().withRefreshEvery(Duration.ofHours(1)).manual(),
        Director.LIFETIME,
        java.time.Clock.systemUTC());
  }

  /**
   * A gateway with the bench's grant: watch {@code watchS} seconds with no fault allowed, rollback
   * {@code rollback}.
   */
  Gateway gateway(String id, int watchS, String rollback) {
    return new Gateway(id, grantFor(watchS, 0, rollback));
  }

  /**
   * A gateway whose watch tolerates {@code faultLimit} faults: for tests about something else than
   * the watch, so a tick that overruns its 5 ms budget on a loaded machine fails nothing.
   */
  Gateway gateway(String id, int watchS, int faultLimit, String rollback) {
    return new Gateway(id, grantFor(watchS, faultLimit, rollback));
  }

  /** A gateway with its own grant ({@link #grantFor}). */
  Gateway gateway(String id, byte[] grant) {
    return new Gateway(id, grant);
  }

  byte[] grantFor(int watchS, String rollback) {
    return grantFor(watchS, 0, rollback);
  }

  /** The bench's grant with another watch {@code expect}. */
  byte[] grantFor(int watchS, String rollback, String expect) {
    return SiteGrant.forSite(
        site.modbusAddress(), site.coapsAddress().orElseThrow(), watchS, 0, rollback, expect);
  }

  byte[] grantFor(int watchS, int faultLimit, String rollback) {
    return SiteGrant.forSite(
        site.modbusAddress(), site.coapsAddress().orElseThrow(), watchS, faultLimit, rollback);
  }

  static InMemoryCredentials credentials() {
    return new InMemoryCredentials()
        .putPsk(
            SiteGrant.THERMOSTAT_CREDENTIAL, "graft-gateway", PSK.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code boiler-control-<release>.0.graft} from the examples, released and published. */
  ReleaseEngineer.Released release(String release) throws IOException {
    Path bundle = Demo.buildBundle(wasm, release, work.resolve("release"));
    return releaseBundle(bundle);
  }

  /** Any bundle file, released and published. */
  ReleaseEngineer.Released releaseBundle(Path bundle) throws IOException {
    return releaseBundle(bundle, CHUNK_SIZE);
  }

  /** Any bundle file, released in chunks of {@code chunkSize} bytes and published. */
  ReleaseEngineer.Released releaseBundle(Path bundle, int chunkSize) throws IOException {
    return engineer.release(
        bundle, chunkSize, releaseSide, work.resolve("release/publish.journal"));
  }

  /**
   * {@code boiler-control-1.1} with a WebAssembly custom section of {@code paddingBytes} random
   * bytes appended, as version {@code version}, its manifest naming the new module's SHA-256.
   */
  Path paddedBundle(String version, int paddingBytes) throws IOException {
    byte[] logic = Files.readAllBytes(wasm.resolve("boiler-control-1.1.wasm"));
    String manifest =
        Files.readString(wasm.resolve("boiler-control-1.1.manifest.json"), StandardCharsets.UTF_8);
    byte[] name = "graft.padding".getBytes(StandardCharsets.UTF_8);
    byte[] padding = new byte[paddingBytes];
    new Random(16).nextBytes(padding);
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    leb128(content, name.length);
    content.write(name);
    content.write(padding);
    ByteArrayOutputStream padded = new ByteArrayOutputStream();
    padded.write(logic);
    padded.write(0); // custom section
    leb128(padded, content.size());
    content.writeTo(padded);
    byte[] module = padded.toByteArray();
    String sha256 = HexFormat.of().formatHex(Digests.sha256(module));
    String rewritten =
        manifest
            .replaceFirst("\"version\"\\s*:\\s*\"1\\.1\\.0\"", "\"version\": \"" + version + "\"")
            .replaceFirst("\"sha256\"\\s*:\\s*\"[0-9a-f]{64}\"", "\"sha256\": \"" + sha256 + "\"");
    if (!rewritten.contains(sha256) || !rewritten.contains("\"" + version + "\"")) {
      throw new IllegalStateException("the 1.1 manifest did not take the new version and hash");
    }
    Path file = work.resolve("release").resolve("boiler-control-" + version + ".graft");
    Files.createDirectories(file.getParent());
    Files.write(file, BundleWriter.write(rewritten.getBytes(StandardCharsets.UTF_8), module));
    return file;
  }

  private static void leb128(ByteArrayOutputStream out, int value) {
    int rest = value;
    do {
      int low = rest & 0x7f;
      rest >>>= 7;
      out.write(rest == 0 ? low : low | 0x80);
    } while (rest != 0);
  }

  byte[] rootAnchor() {
    try {
      return engineer.rootAnchor();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  MqttConnection releaseSide() {
    return releaseSide;
  }

  SimulatedSite site() {
    return site;
  }

  LocalBroker broker() {
    return broker;
  }

  Path work() {
    return work;
  }

  Path wasm() {
    return wasm;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable closeable : opened.reversed()) {
      try {
        closeable.close();
      } catch (RuntimeException e) {
        // closing the rest matters more
      }
    }
    releaseSide.close();
    site.close();
    broker.close();
  }
}
