package dev.graft.demo;

import dev.graft.bundle.director.Agreement;
import dev.graft.bundle.director.DirectorAgreement;
import dev.graft.bundle.director.Grants;
import dev.graft.bundle.director.ReleaseInfo;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.PinnedRole;
import dev.graft.bundle.tuf.TimeFloor;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.bundle.tufclient.FileTrustedStore;
import dev.graft.gateway.field.Credentials;
import dev.graft.gateway.field.FieldOptions;
import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.field.FieldSite;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.PreflightReport;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.runtime.TickResult;
import dev.graft.gateway.scan.ScanLoop;
import dev.graft.gateway.scan.ScanStats;
import dev.graft.gateway.scan.SwapOutcome;
import dev.graft.gateway.scan.SwapRequest;
import dev.graft.gateway.scan.TickListener;
import dev.graft.policies.CapabilityCheck;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.Violation;
import dev.graft.transport.ChunkFetcher;
import dev.graft.transport.ChunkTarget;
import dev.graft.transport.DownloadReport;
import dev.graft.transport.FetchOptions;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The gateway side of the demo, composed from the library calls the update agent will make: refresh
 * both TUF repositories over MQTT, require director agreement, download the bundle chunk by chunk,
 * read it, check its manifest against the signed grant, load it, preflight it on live inputs, and
 * hot-swap it into the running scan loop. Every refusal is the library's own exception.
 */
final class Gateway implements AutoCloseable {
  private static final Duration SWAP_TIMEOUT = Duration.ofSeconds(60);

  private final String id;
  private final Path home;
  private final MqttConnection connection;
  private final byte[] grantBytes;
  private final PinnedRole siteKeys;
  private final TimeFloor timeFloor;
  private final Grant grant;
  private final Credentials credentials;
  private final SlotWatch slots = new SlotWatch();
  private long floor;
  private @Nullable FieldSite site;
  private @Nullable ScanLoop loop;

  /** A bundle that passed every check, not yet loaded. */
  record Verified(
      TargetFile target,
      ReleaseInfo release,
      Bundle bundle,
      Manifest manifest,
      DownloadReport download) {}

  /** A loaded module with the port built from its manifest. */
  record Prepared(ControlLogic logic, ReleaseInfo release) {}

  /** What a live update did. */
  record Swap(
      SwapOutcome outcome,
      PreflightReport preflight,
      long lastSlotBefore,
      long firstSlotAfter,
      long missedWhileUpdating) {
    /** Slots skipped between the old module's last tick and the new one's first: 0 by design. */
    long missedAtSwap() {
      return firstSlotAfter - lastSlotBefore - 1;
    }
  }

  /**
   * Commissions the gateway: both root anchors go into its trusted stores under {@code home}, the
   * site key becomes the pin of the director's {@code grants} role, and it keeps the site's grant
   * (whose hashes the site key signs in that role).
   */
  Gateway(
      String id,
      Path home,
      MqttConnection connection,
      byte[] imageRoot,
      byte[] directorRoot,
      byte[] siteKey,
      byte[] grantBytes,
      Credentials credentials)
      throws IOException {
    this.id = id;
    this.home = home;
    this.connection = connection;
    this.grantBytes = grantBytes.clone();
    this.siteKeys = Grants.siteKeysFromFiles(List.of(siteKey), 1);
    this.grant = Grant.parse(grantBytes);
    this.credentials = credentials;
    Files.createDirectories(home.resolve("image"));
    Files.createDirectories(home.resolve("director"));
    Files.createDirectories(home.resolve("downloads"));
    Files.createDirectories(home.resolve("time"));
    this.timeFloor = new TimeFloor(Clock.systemUTC(), new FileTrustedStore(home.resolve("time")));
    TufClient.initialize(new FileTrustedStore(home.resolve("image")), imageRoot, true);
    TufClient.initialize(new FileTrustedStore(home.resolve("director")), directorRoot, true);
  }

  /**
   * Refreshes both repositories and returns what they agree this gateway should run, after checking
   * that the director's grants role, delegated to exactly the site key, still signs the grant the
   * gateway holds.
   *
   * @throws dev.graft.bundle.TrustException on any refusal (signatures, versions, hashes, another
   *     gateway's metadata, disagreement, a downgrade)
   */
  Agreement.Agreed check() {
    timeFloor.requireClockAtFloor(); // a clock set back authorises no install
    TufClient image = client("image", false);
    image.refresh();
    TufClient director = client("director", true);
    director.refresh();
    Grants.require(director, id, grantBytes);
    return DirectorAgreement.require(
        director.topLevelTargets(), image::findTarget, ReleaseEngineer.HARDWARE, floor);
  }

  /**
   * Downloads the agreed bundle over MQTT, each chunk checked against the signed chunk list, then
   * reads it and checks its manifest against the signed release fields and the grant.
   */
  Verified fetch(Agreement.Agreed agreed) throws IOException {
    TargetFile target = agreed.target();
    Path destination = home.resolve("downloads").resolve(target.hashes().get("sha256") + ".graft");
    Files.deleteIfExists(destination);
    DownloadReport report =
        new ChunkFetcher(connection, FetchOptions.DEFAULT)
            .download(ChunkTarget.of(target), destination, progress -> {});
    byte[] bytes = Files.readAllBytes(destination);
    TufClient.verifyTarget(target, bytes); // length, SHA-256 and SHA-512 of the whole file
    Bundle bundle = BundleReader.withDefaults().read(bytes);
    Manifest manifest = Manifest.parse(bundle.manifestBytes());
    ReleaseInfo release = agreed.release();
    release.requireDescribes(bundle, target.path());
    if (CapabilityCheck.check(manifest, grant)
        instanceof CapabilityCheck.Rejected(var violations)) {
      throw new IllegalStateException(
          "the site grant refuses "
              + target.path()
              + ": "
              + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    }
    return new Verified(target, release, bundle, manifest, report);
  }

  /** Validates, compiles and instantiates the module within the grant. */
  Prepared load(Verified verified) {
    ControlLogic logic =
        ControlLogic.builder(verified.bundle().module(), verified.manifest(), grant).build();
    return new Prepared(logic, verified.release());
  }

  /** Opens the field site from the grant and starts the scan loop with the first module. */
  void start(Prepared first) {
    FieldSite opened = FieldSite.open(grant, FieldOptions.defaults(), credentials);
    site = opened;
    FieldPort port = opened.bind(first.logic().manifest());
    ScanLoop started =
        ScanLoop.builder(first.logic(), port, grant)
            .listener(slots)
            .threadName("graft-scan-" + id)
            .build();
    loop = started;
    started.start();
    floor = first.release().releaseCounter();
  }

  /**
   * Preflights {@code next} on live inputs from its own port (self-test, then one shadow tick per
   * snapshot, outputs discarded), then asks the scan loop to swap it in between two ticks. A
   * candidate that does not go live is closed.
   */
  Swap update(Prepared next) throws InterruptedException {
    ScanLoop running = requireLoop();
    Manifest manifest = next.logic().manifest();
    FieldPort nextPort = requireSite().bind(manifest);
    ControlLogic previous = running.running();
    long missedBefore = running.stats().missedSlots();
    PreflightReport preflight;
    SwapOutcome outcome;
    try {
      preflight = preflight(next.logic(), nextPort);
      slots.reset();
      CompletableFuture<SwapOutcome> pending =
          running.swap(next.logic(), nextPort, SwapRequest.standard().withTimeout(SWAP_TIMEOUT));
      try {
        outcome = pending.get(SWAP_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        pending.cancel(false); // withdraws the request: nothing changes
        throw new IllegalStateException("the scan loop did not answer the swap request", e);
      }
    } catch (ExecutionException e) {
      discard(next, nextPort);
      throw new IllegalStateException("the swap failed: " + e.getCause(), e);
    } catch (RuntimeException | InterruptedException e) {
      discard(next, nextPort);
      throw e;
    }
    if (!(outcome instanceof SwapOutcome.Swapped)) {
      discard(next, nextPort);
      return new Swap(outcome, preflight, -1, -1, running.stats().missedSlots() - missedBefore);
    }
    slots.awaitSlotAfterSwap();
    // The demo commits at once; the update agent will watch first and keep `previous` for a
    // rollback until then.
    previous.close();
    floor = next.release().releaseCounter();
    return new Swap(
        outcome,
        preflight,
        slots.lastSlotBeforeSwap(),
        slots.firstSlotAfterSwap(),
        running.stats().missedSlots() - missedBefore);
  }

  /** A candidate that did not go live: its port stops, its module is closed. */
  private static void discard(Prepared next, FieldPort port) {
    port.close();
    next.logic().close();
  }

  /**
   * Self-test, then one shadow tick per live snapshot of the candidate's own port, outputs
   * discarded; refuses a candidate that fails either.
   */
  private static PreflightReport preflight(ControlLogic candidate, FieldPort port)
      throws InterruptedException {
    Manifest manifest = candidate.manifest();
    List<ProcessImage> shadow = liveSnapshots(port, Math.max(1, manifest.shadowTicks()));
    PreflightReport report = candidate.preflight(shadow);
    if (!report.passed()) {
      throw new IllegalStateException(
          "preflight of "
              + manifest.name()
              + " "
              + manifest.version()
              + " failed: self-test "
              + report.selfTest()
              + ", faults "
              + report.faults()
              + ", state round trip "
              + report.stateRoundTrip());
    }
    return report;
  }

  /** Collects {@code count} snapshots of good inputs, one per tick period. */
  private static List<ProcessImage> liveSnapshots(FieldPort port, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<ProcessImage> snapshots = new ArrayList<>();
    while (snapshots.size() < count) {
      ProcessImage snapshot = port.snapshot();
      if (allGood(snapshot)) {
        snapshots.add(snapshot);
      } else if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the field inputs did not become good within 10 s: " + snapshot);
      }
      Thread.sleep(100);
    }
    return snapshots;
  }

  private static boolean allGood(ProcessImage image) {
    for (int i = 0; i < image.size(); i++) {
      if (image.quality(i) != ProcessImage.GOOD) {
        return false;
      }
    }
    return true;
  }

  /** The last faulted tick, described, if any tick faulted. */
  Optional<String> lastFault() {
    return Optional.ofNullable(slots.lastFault);
  }

  ScanStats stats() {
    return requireLoop().stats();
  }

  /** The release counter of the last module this gateway committed; nothing below it installs. */
  long floor() {
    return floor;
  }

  /** The files of the gateway's trusted metadata, for showing a refusal changed none of them. */
  Path trustedStores() {
    return home;
  }

  private TufClient client(String name, boolean director) {
    TufClient.Builder builder =
        TufClient.builder()
            .repository(
                director
                    ? MqttRepository.director(connection, id, FetchOptions.DEFAULT)
                    : MqttRepository.imageRepository(connection, FetchOptions.DEFAULT))
            .store(new FileTrustedStore(home.resolve(name)))
            .clock(timeFloor.clock());
    return director ? builder.gatewayId(id).pin(siteKeys).build() : builder.build();
  }

  private ScanLoop requireLoop() {
    ScanLoop running = loop;
    if (running == null) {
      throw new IllegalStateException("the gateway has not started its scan loop");
    }
    return running;
  }

  private FieldSite requireSite() {
    FieldSite opened = site;
    if (opened == null) {
      throw new IllegalStateException("the gateway has not opened its field site");
    }
    return opened;
  }

  /** Stops the scan loop (outputs to their fault policy) and closes the field links. */
  @Override
  public void close() {
    ScanLoop running = loop;
    loop = null;
    if (running != null) {
      running.close(); // closes the running module and its port
    }
    FieldSite opened = site;
    site = null;
    if (opened != null) {
      opened.close();
    }
  }

  /**
   * Watches the slot numbers on the scan thread: which slot the last tick of the old module ran in
   * and which slot the first tick of its successor ran in. A gap between them would be a missed
   * tick at the swap. Primitive fields only, so the listener allocates nothing.
   */
  private static final class SlotWatch implements TickListener {
    private volatile long lastSlot = -1;
    private volatile @Nullable String lastVersion;
    private volatile long lastSlotBeforeSwap = -1;
    private volatile long firstSlotAfterSwap = -1;
    private volatile @Nullable String lastFault;

    @Override
    public void onTick(
        long slot,
        long scheduledNanos,
        long startedNanos,
        long durationNanos,
        String module,
        String version,
        TickResult result) {
      if (result instanceof TickResult.Fault fault) {
        lastFault = "slot " + slot + " (" + module + " " + version + "): " + fault;
      }
      String previous = lastVersion;
      if (previous != null && !previous.equals(version)) {
        lastSlotBeforeSwap = lastSlot;
        firstSlotAfterSwap = slot;
      }
      lastVersion = version;
      lastSlot = slot;
    }

    void reset() {
      lastSlotBeforeSwap = -1;
      firstSlotAfterSwap = -1;
    }

    void awaitSlotAfterSwap() throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (firstSlotAfterSwap < 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }

    long lastSlotBeforeSwap() {
      return lastSlotBeforeSwap;
    }

    long firstSlotAfterSwap() {
      return firstSlotAfterSwap;
    }
  }
}
