package dev.graft.gateway.agent;

import dev.graft.bundle.ClockBelowFloorException;
import dev.graft.bundle.Digests;
import dev.graft.bundle.ExpiredMetadataException;
import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.director.Agreement;
import dev.graft.bundle.director.DirectorAgreement;
import dev.graft.bundle.director.Grants;
import dev.graft.bundle.director.ReleaseInfo;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.TimeFloor;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.bundle.tufclient.FileTrustedStore;
import dev.graft.gateway.agent.audit.AuditExport;
import dev.graft.gateway.agent.journal.H2Journal;
import dev.graft.gateway.agent.journal.InMemoryJournal;
import dev.graft.gateway.agent.journal.Journal;
import dev.graft.gateway.agent.journal.ModuleRef;
import dev.graft.gateway.agent.journal.ModuleSlot;
import dev.graft.gateway.agent.journal.PipelineState;
import dev.graft.gateway.agent.journal.UpdateState;
import dev.graft.gateway.agent.report.ReportCounter;
import dev.graft.gateway.agent.report.ReportSigner;
import dev.graft.gateway.field.FieldPort;
import dev.graft.gateway.field.FieldSite;
import dev.graft.gateway.field.LinkStatus;
import dev.graft.gateway.runtime.ControlLogic;
import dev.graft.gateway.runtime.PreflightReport;
import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.gateway.scan.ScanLoop;
import dev.graft.gateway.scan.SwapOutcome;
import dev.graft.gateway.scan.SwapRequest;
import dev.graft.policies.CapabilityCheck;
import dev.graft.policies.Condition;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.Violation;
import dev.graft.transport.ChunkFetcher;
import dev.graft.transport.ChunkTarget;
import dev.graft.transport.DownloadReport;
import dev.graft.transport.FetchOptions;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.MqttRepository;
import dev.graft.transport.Topics;
import dev.graft.transport.TraceContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's update agent: one per gateway, a plain library object that a service, the demo and
 * a simulated fleet run unchanged.
 *
 * <p>It owns the field site, the scan loop and one MQTT connection. On a schedule (with jitter) and
 * at once when the root hint or the director's timestamp for this gateway changes, it refreshes
 * both TUF repositories, checks the director's grant against the pinned site key, and, when both
 * repositories agree on a release it does not run, takes it through the pipeline of {@code
 * module-abi.md}: FETCH, DOWNLOAD (resumable), STAGE, PREFLIGHT (with shadow ticks on live inputs
 * compared with the live module's outputs), SWAP (between two ticks, gated by the local update
 * lock, {@code update_permit} and {@code swap_when}), WATCH (the grant's window, fault limit and
 * {@code expect}), then COMMIT, or the grant's rollback mode.
 *
 * <p>Every transition is written to the {@link Journal} before it takes effect, and every decision
 * to the hash-chained audit log and to the signed {@code events}; the signed {@code status} follows
 * every change. A restart before COMMIT always runs the previous committed module again.
 *
 * <p>All update work runs on one thread of the agent's own, so no two pipelines ever overlap; the
 * scan loop runs on its own thread and never waits for the agent.
 */
public final class UpdateAgent implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(UpdateAgent.class.getName());

  /** How long PREFLIGHT waits for the candidate's inputs to be good before it gives up. */
  private static final Duration INPUTS_GOOD_WITHIN = Duration.ofSeconds(10);

  /** Added to the swap timeout before the agent stops waiting for the scan loop's answer. */
  private static final Duration SCAN_LOOP_ANSWER = Duration.ofSeconds(10);

  /** How long {@link #close()} waits for the work in progress to reach a step where it stops. */
  private static final Duration STOP_WITHIN = Duration.ofSeconds(30);

  /** How often a rollback held by {@code update_permit} is asked again. */
  private static final Duration ROLLBACK_RETRY = Duration.ofSeconds(1);

  private final AgentConfig config;
  private final String id;
  private final Journal journal;
  private final byte[] grantBytes;
  private final Grant grant;
  private final ModuleStore modules;
  private final FileTrustedStore imageStore;
  private final FileTrustedStore directorStore;
  private final TimeFloor timeFloor;
  private final UpdateLockFile lockFile;
  private final FieldSite site;
  private final TickWatch ticks = new TickWatch();
  private final ScheduledExecutorService worker;
  private final SecureRandom random = new SecureRandom();
  private final List<Consumer<UpdateOutcome>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<UpdateState>> transitionListeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean checkQueued = new AtomicBoolean();
  private final AtomicReference<@Nullable TraceContext> directorTrace = new AtomicReference<>();
  private final ReportSigner signer;

  private volatile @Nullable MqttConnection connection;
  private volatile @Nullable Reporter reporter;
  private volatile @Nullable ScanLoop loop;
  private volatile @Nullable Running running;
  private volatile Optional<UpdateLock> lock;
  private volatile @Nullable String blocked;
  private volatile @Nullable String alarm;
  private volatile Optional<String> directorTargets = Optional.empty();
  private volatile boolean closed;

  /** Worker thread only. */
  private int failedChecks;

  /** Worker thread only: whether the stored roots were checked against the anchors since start. */
  private boolean rootsVerified;

  /** The last refusal reported, so a refresh does not repeat it every time. */
  private volatile @Nullable String lastRefusal;

  /** Serialises the operator's calls, which run on the caller's thread, not the agent's. */
  private final Object operatorCalls = new Object();

  /** The module on the scan loop, with the port it drives and what the journal calls it. */
  private record Running(ModuleRef ref, ControlLogic logic, FieldPort port) {}

  /** A bundle that passed STAGE. */
  private record Staged(ModuleRef ref, Bundle bundle, Manifest manifest) {}

  /** Why the pipeline stopped: the stage and the reason, for events and the audit log. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    private final PipelineState stage;
    private final boolean failedHash;

    Refusal(PipelineState stage, String reason, boolean failedHash) {
      super(reason, null, false, false);
      this.stage = stage;
      this.failedHash = failedHash;
    }
  }

  private UpdateAgent(AgentConfig config) {
    this.config = config;
    this.id = config.gatewayId();
    Path data = config.dataDirectory();
    try {
      for (String dir : List.of("image", "director", "time", "modules")) {
        Files.createDirectories(data.resolve(dir));
      }
    } catch (IOException e) {
      throw new AgentStartException("cannot create the data directory " + data + ": " + e, e);
    }
    this.grantBytes = config.grant();
    try {
      this.grant = Grant.parse(grantBytes);
    } catch (RuntimeException e) {
      throw new AgentStartException("the site grant is not valid: " + e.getMessage(), e);
    }
    this.modules = new ModuleStore(data.resolve("modules"));
    this.imageStore = new FileTrustedStore(data.resolve("image"));
    this.directorStore = new FileTrustedStore(data.resolve("director"));
    this.timeFloor = new TimeFloor(config.clock(), new FileTrustedStore(data.resolve("time")));
    this.lockFile = new UpdateLockFile(data.resolve("update-lock.json"));
    this.journal = openJournal(config);
    boolean started = false;
    FieldSite opened = null;
    try {
      this.lock = lockFile.read();
      anchor(imageStore, config.anchors().imageRoot(), "image repository");
      anchor(directorStore, config.anchors().directorRoot(), "director");
      this.signer =
          new ReportSigner(id, config.identityKey(), journalCounter(journal), timeFloor.clock());
      opened = FieldSite.open(grant, config.field(), config.credentials());
      this.site = opened;
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread thread = new Thread(r, "graft-agent-" + id);
                thread.setDaemon(true);
                return thread;
              });
      // close() waits for the work in progress, not for the next scheduled check: by default a
      // shut-down executor still runs its delayed tasks, so close() waited STOP_WITHIN for a check
      // due up to refreshEvery later and then interrupted the worker (found by AgentRefusalTest)
      executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      this.worker = executor;
      started = true;
    } finally {
      if (!started) {
        if (opened != null) {
          opened.close();
        }
        journal.close();
      }
    }
  }

  /**
   * Starts an agent: opens (and checks) its journal, finishes or undoes what a crash interrupted,
   * starts the installed module on the scan loop, then connects to the broker and looks for updates
   * in the background. The logic runs even while the broker cannot be reached.
   *
   * @throws AgentStartException when the journal fails its integrity check, the grant is invalid,
   *     or an anchor is refused
   */
  public static UpdateAgent start(AgentConfig config) {
    UpdateAgent agent = new UpdateAgent(config);
    try {
      agent.runOnWorker(() -> {
        agent.recover();
        agent.bootInstalled();
        return null;
      });
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
    if (config.schedule().checkAtStart()) {
      agent.worker.execute(agent::connectAndCheck);
    } else {
      agent.scheduleCheck(agent.nextDelay(false));
    }
    long health = config.schedule().healthEvery().toMillis();
    Future<?> _ =
        agent.worker.scheduleWithFixedDelay(
            agent::sendHealth, health, health, TimeUnit.MILLISECONDS);
    return agent;
  }

  /**
   * Called on the agent's thread with every pipeline state, right after it is journaled and before
   * it takes effect: progress output for a service or CLI. Must return quickly.
   */
  public void addTransitionListener(Consumer<UpdateState> listener) {
    transitionListeners.add(listener);
  }

  /** Called with every outcome of a check, on the agent's thread; must return quickly. */
  public void addListener(Consumer<UpdateOutcome> listener) {
    listeners.add(listener);
  }

  /**
   * Checks for an update now and takes it through the whole pipeline, waiting for the outcome
   * (which may take the watch window). Runs on the agent's thread after any check in progress.
   */
  public UpdateOutcome checkNow() {
    return runOnWorker(this::check);
  }

  /**
   * Holds every swap until {@link #releaseUpdateLock} — whatever the director says. Takes effect at
   * once, also for a swap already waiting in the scan loop for {@code swap_when}, which is
   * withdrawn; kept across restarts and recorded in the audit log. Updates are still fetched and
   * preflighted; they stop before SWAP. A rollback is not held: it restores the module the operator
   * last accepted.
   */
  public void lockUpdates(String by, String reason) {
    requireOpen();
    synchronized (operatorCalls) {
      UpdateLock held = new UpdateLock(by, reason, now());
      lockFile.write(Optional.of(held));
      lock = Optional.of(held);
      decide(
          AuditKind.OPERATOR,
          JsonObject.builder()
              .put("action", "update lock taken")
              .put("by", by)
              .put("reason", reason)
              .build(),
          Optional.empty());
      publishStatus();
    }
  }

  /** Releases the update lock; swaps may happen again from the next check. */
  public void releaseUpdateLock(String by) {
    requireOpen();
    synchronized (operatorCalls) {
      lockFile.write(Optional.empty());
      lock = Optional.empty();
      decide(
          AuditKind.OPERATOR,
          JsonObject.builder().put("action", "update lock released").put("by", by).build(),
          Optional.empty());
      publishStatus();
    }
  }

  /**
   * The operator's reset of the failed-hash list: releases that failed preflight or watch may be
   * tried again from the next check. Returns how many hashes were removed.
   */
  public int clearFailedHashes(String by) {
    requireOpen();
    synchronized (operatorCalls) {
      int removed = journal.clearFailedHashes();
      decide(
          AuditKind.OPERATOR,
          JsonObject.builder()
              .put("action", "failed-hash list cleared")
              .put("by", by)
              .put("removed", removed)
              .build(),
          Optional.empty());
      lastRefusal = null;
      publishStatus();
      return removed;
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the update agent of " + id + " is closed");
    }
  }

  /** Where the agent stands, for a local status page or CLI. */
  public AgentStatus status() {
    Running now = running;
    ScanLoop scan = loop;
    return new AgentStatus(
        id,
        journal.module(ModuleSlot.INSTALLED),
        journal.module(ModuleSlot.PREVIOUS),
        journal.module(ModuleSlot.STAGED),
        now == null ? Optional.empty() : Optional.of(now.ref()),
        journal.update(),
        journal.releaseFloor(),
        lock,
        Optional.ofNullable(blocked),
        Optional.ofNullable(alarm),
        journal.failedHashes(),
        journal.auditHead().map(h -> new AgentStatus.AuditHead(h.seq(), h.sha256())),
        scan == null ? Optional.empty() : Optional.of(scan.stats()),
        connectionUp());
  }

  /** Up to {@code max} audit records from {@code fromSeq} on, oldest first. */
  public List<AuditRecord> audit(long fromSeq, int max) {
    return journal.audit(fromSeq, max);
  }

  /**
   * Writes the whole audit log to {@code directory}/{@code audit.jsonl} (atomically), for {@code
   * graft audit verify} on another machine.
   */
  public void exportAudit(Path directory) {
    AuditExport.write(journal, directory);
  }

  /**
   * Stops the agent: no new check starts, the scan loop stops with its outputs at their fault
   * policy, {@code presence} goes to {@code offline}, the journal closes.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Not shutdownNow(): the work in progress sees `closed` at its next step and ends there, so
    // no journal write or download is cut off by an interrupt.
    worker.shutdown();
    try {
      if (!worker.awaitTermination(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "agent " + id + ": the work in progress did not end within " + STOP_WITHIN);
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ScanLoop scan = loop;
    loop = null;
    if (scan != null) {
      scan.close();
    }
    site.close();
    Reporter out = reporter;
    if (out != null) {
      out.presence(false);
    }
    MqttConnection link = connection;
    if (link != null) {
      link.close();
    }
    try {
      journal.appendAudit(now(), AuditKind.STOPPED, JsonObject.empty());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "agent " + id + ": stop not audited: " + e);
    }
    journal.close();
  }

  // ---------------------------------------------------------------------------------------------
  // start and recovery

  private static Journal openJournal(AgentConfig config) {
    if (config.storage() == AgentConfig.Storage.IN_MEMORY) {
      return new InMemoryJournal();
    }
    Path file = config.dataDirectory().resolve("journal");
    try {
      return H2Journal.open(file);
    } catch (RuntimeException e) {
      throw new AgentStartException(
          "the journal "
              + file
              + " cannot be used: "
              + e.getMessage()
              + " — the gateway does not start on a journal it cannot trust; restore it from a"
              + " backup or re-commission the gateway",
          e);
    }
  }

  /**
   * Trust on first use of the commissioned root. A root already stored is checked again from the
   * anchor at the first check after every start ({@link #verifyStoredRoots}).
   */
  private static void anchor(FileTrustedStore store, byte[] anchor, String what) {
    if (store.load("root").isPresent()) {
      return;
    }
    try {
      TufClient.initialize(store, anchor, true);
    } catch (TrustException e) {
      throw new AgentStartException(
          "the commissioned " + what + " root is refused: " + e.getMessage(), e);
    }
  }

  /** The journal as the report signer's counter: each report's counter is journaled first. */
  private static ReportCounter journalCounter(Journal journal) {
    return new ReportCounter() {
      @Override
      public long last() {
        // reserves a value: the next report is numbered above it, which is all that matters
        return journal.nextCounter();
      }

      @Override
      public void advanceTo(long counter) {
        long reached = journal.nextCounter();
        while (reached < counter) {
          reached = journal.nextCounter();
        }
      }
    };
  }

  /**
   * Undoes an update a crash interrupted: before COMMIT the previous committed module runs again
   * and the candidate's files go; after COMMIT the new module runs. A download interrupted in FETCH
   * or DOWNLOAD keeps its partial file, so the next check resumes it.
   */
  private void recover() {
    Optional<UpdateState> interrupted = journal.update();
    boolean keepPartial = false;
    if (interrupted.isPresent()) {
      UpdateState state = interrupted.get();
      keepPartial = state.state() == PipelineState.FETCH || state.state() == PipelineState.DOWNLOAD;
      if (state.state() != PipelineState.COMMIT) {
        journal.clearModule(ModuleSlot.STAGED);
      }
      journal.clearUpdate();
      decide(
          AuditKind.RECOVERED,
          JsonObject.builder()
              .put("interrupted_in", state.state().name())
              .put("target", state.target())
              .put(
                  "runs",
                  journal.module(ModuleSlot.INSTALLED).map(UpdateAgent::describe).orElse("nothing"))
              .put("download_kept", keepPartial)
              .build(),
          Optional.empty());
    }
    List<String> removed = modules.removeAllBut(committedHashes(), keepPartial);
    if (!removed.isEmpty()) {
      LOG.log(System.Logger.Level.INFO, "agent " + id + ": removed leftover files " + removed);
    }
  }

  /** Starts the installed module, or the previous one if the installed one's file is damaged. */
  private void bootInstalled() {
    decide(AuditKind.STARTED, JsonObject.builder().put("gateway", id).build(), Optional.empty());
    for (ModuleSlot slot : List.of(ModuleSlot.INSTALLED, ModuleSlot.PREVIOUS)) {
      Optional<ModuleRef> module = journal.module(slot);
      if (module.isEmpty()) {
        continue;
      }
      try {
        byte[] bytes = modules.read(module.get(), ModuleStore.maxBundleBytes());
        Bundle bundle = BundleReader.withDefaults().read(bytes);
        Manifest manifest = Manifest.parse(bundle.manifestBytes());
        requireWithinGrant(manifest, PipelineState.STAGE);
        ControlLogic logic = ControlLogic.builder(bundle.module(), manifest, grant).build();
        FieldPort port = site.bind(manifest);
        startLoop(new Running(module.get(), logic, port));
        if (slot == ModuleSlot.PREVIOUS) {
          alarm = "the installed module could not start; running the previous one";
        }
        return;
      } catch (RuntimeException | Refusal e) {
        String reason = e.getMessage();
        alarm = describe(module.get()) + " cannot start: " + reason;
        decide(
            AuditKind.ALARM,
            JsonObject.builder()
                .put("module", describe(module.get()))
                .put("slot", slot.name())
                .put("reason", String.valueOf(reason))
                .build(),
            Optional.empty());
      }
    }
  }

  private void startLoop(Running first) {
    ScanLoop scan =
        ScanLoop.builder(first.logic(), first.port(), grant)
            .listener(ticks)
            .threadName("graft-scan-" + id)
            .build();
    running = first;
    loop = scan;
    scan.start();
  }

  // ---------------------------------------------------------------------------------------------
  // the connection and the schedule

  private void connectAndCheck() {
    if (closed) {
      return;
    }
    UpdateOutcome outcome = check();
    long delay = nextDelay(outcome instanceof UpdateOutcome.Blocked);
    scheduleCheck(delay);
  }

  private void scheduleCheck(long delayMillis) {
    if (!closed) {
      Future<?> _ = worker.schedule(this::connectAndCheck, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** A check soon, when a watched topic changed; at most one is queued at a time. */
  private void checkSoon() {
    if (closed || !config.schedule().followTopics() || !checkQueued.compareAndSet(false, true)) {
      return;
    }
    long jitter = (long) (random.nextDouble() * config.schedule().topicDelay().toMillis());
    Future<?> _ =
        worker.schedule(
            () -> {
              checkQueued.set(false);
              check();
            },
            jitter,
            TimeUnit.MILLISECONDS);
  }

  /**
   * The regular interval ± jitter, or an exponential backoff while checks fail for availability.
   */
  private long nextDelay(boolean failed) {
    AgentConfig.Schedule schedule = config.schedule();
    failedChecks = failed ? Math.min(failedChecks + 1, 30) : 0;
    double base = (double) schedule.refreshEvery().toMillis();
    if (failedChecks > 0) {
      base =
          Math.min((double) schedule.maxBackoff().toMillis(), base * Math.pow(2, failedChecks - 1));
    }
    double spread = 1 + schedule.jitter() * (2 * random.nextDouble() - 1);
    return Math.max(1, (long) (base * spread));
  }

  /**
   * Connects if not yet connected: the Last Will, presence, and the topics that trigger a check.
   */
  private @Nullable MqttConnection ensureConnected() {
    MqttConnection link = connection;
    if (link != null) {
      return link;
    }
    MqttOptions options =
        config
            .broker()
            .withClientId("graft-gw-" + id)
            .withWill(Topics.gatewayPresence(id), Reporter.OFFLINE, true);
    link = MqttConnection.open(options);
    connection = link;
    Reporter out = new Reporter(id, link, signer);
    reporter = out;
    out.presence(true);
    MqttConnection.PropertiesHandler trigger =
        (topic, payload, retained, properties) -> {
          if (topic.endsWith("/timestamp")) {
            // the rollout's trace context, also from the retained copy (which keeps its user
            // properties): the next update continues that trace
            String header = properties.get(TraceContext.HEADER);
            if (header != null) {
              TraceContext.parse(header).ifPresent(directorTrace::set);
            }
          }
          if (!retained) {
            // only a live publish is a change; a retained copy comes because someone (this
            // agent's own refresh, reading the same topic) subscribed
            checkSoon();
          }
        };
    // wildcards, so these never collide with the fetches' own subscriptions to the same topics
    link.subscribe(Topics.PREFIX + "repo/metadata/+/latest", trigger);
    link.subscribe(Topics.PREFIX + "director/+/latest", trigger);
    link.subscribe(Topics.PREFIX + "director/" + id + "/+", trigger);
    return link;
  }

  private boolean connectionUp() {
    MqttConnection link = connection;
    return link != null && link.isConnected();
  }

  private <T> T runOnWorker(java.util.concurrent.Callable<T> task) {
    if (closed) {
      throw new IllegalStateException("the update agent of " + id + " is closed");
    }
    Future<T> result = worker.submit(task);
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the agent worked", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // one check

  private UpdateOutcome check() {
    UpdateOutcome outcome;
    try {
      outcome = checkOnce();
    } catch (RuntimeException e) {
      // never let a bug end the agent's schedule; the logic keeps running
      LOG.log(System.Logger.Level.ERROR, "agent " + id + ": the check failed", e);
      outcome = new UpdateOutcome.Blocked("the check failed: " + e);
    }
    if (outcome instanceof UpdateOutcome.Blocked(String reason)) {
      if (!reason.equals(blocked)) {
        blocked = reason;
        LOG.log(System.Logger.Level.WARNING, "agent " + id + ": updates blocked: " + reason);
      }
    } else {
      blocked = null;
    }
    publishStatus();
    for (Consumer<UpdateOutcome> listener : listeners) {
      try {
        listener.accept(outcome);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "agent " + id + ": an outcome listener failed", e);
      }
    }
    return outcome;
  }

  private UpdateOutcome checkOnce() {
    try {
      ensureConnected();
    } catch (RuntimeException e) {
      return new UpdateOutcome.Blocked("the broker cannot be reached: " + e.getMessage());
    }
    MqttConnection link = java.util.Objects.requireNonNull(connection);
    if (!rootsVerified) {
      try {
        verifyStoredRoots(link);
      } catch (RepositoryException e) {
        return new UpdateOutcome.Blocked(
            "the stored roots cannot be checked against the anchors yet: " + e.getMessage());
      } catch (TrustException e) {
        String reason =
            "the stored trusted root does not follow from the commissioned anchor ("
                + e.getMessage()
                + "); updates stay blocked until the gateway is re-commissioned";
        alarm = reason;
        refuse(PipelineState.FETCH, "(root)", reason, false);
        return new UpdateOutcome.Blocked(reason);
      }
    }
    TufClient image;
    TufClient director;
    TargetFile grantTarget;
    Agreement agreement;
    try {
      timeFloor.requireClockAtFloor(); // a clock set back authorises no install
      image = client(link, false);
      image.refresh();
      director = client(link, true);
      director.refresh();
      director
          .timestamp()
          .ifPresent(t -> timeFloor.observeTimestamp(t, config.maxTimestampLifetime()));
      directorTargets =
          directorStore.load("targets").map(b -> HexFormat.of().formatHex(Digests.sha256(b)));
      grantTarget = Grants.require(director, id, grantBytes);
      agreement =
          DirectorAgreement.decide(
              director.topLevelTargets(),
              image::findTarget,
              config.hardwareId(),
              journal.releaseFloor());
    } catch (ClockBelowFloorException | ExpiredMetadataException e) {
      return new UpdateOutcome.Blocked(e.getMessage());
    } catch (RepositoryException e) {
      return new UpdateOutcome.Blocked("the repositories cannot be read: " + e.getMessage());
    } catch (TrustException e) {
      return refuse(PipelineState.FETCH, "(metadata)", e.kind() + ": " + e.getMessage(), false);
    }
    LOG.log(System.Logger.Level.DEBUG, "agent " + id + ": grant " + grantTarget.path() + " holds");
    return switch (agreement) {
      case Agreement.Refused(Agreement.Reason reason, String message)
          when reason == Agreement.Reason.NO_TARGET ->
          new UpdateOutcome.UpToDate(journal.module(ModuleSlot.INSTALLED), message);
      case Agreement.Refused(Agreement.Reason reason, String message) ->
          refuse(
              PipelineState.FETCH,
              "(director targets)",
              reason.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + message,
              false);
      case Agreement.Agreed agreed -> consider(link, agreed);
    };
  }

  private UpdateOutcome consider(MqttConnection link, Agreement.Agreed agreed) {
    TargetFile target = agreed.target();
    String sha256 = target.hashes().get("sha256");
    Optional<ModuleRef> installed = journal.module(ModuleSlot.INSTALLED);
    Running now = running;
    if (installed.isPresent()
        && installed.get().sha256().equals(sha256)
        && now != null
        && now.ref().sha256().equals(sha256)) {
      lastRefusal = null;
      return new UpdateOutcome.UpToDate(installed, "runs " + describe(installed.get()));
    }
    if (journal.isFailedHash(sha256)) {
      return refuse(
          PipelineState.FETCH,
          target.path(),
          "this release failed on this gateway before (SHA-256 "
              + sha256
              + " is on the failed-hash list); an operator must clear the list to try it again",
          false);
    }
    lastRefusal = null;
    Optional<TraceContext> trace =
        Optional.of(
            Optional.ofNullable(directorTrace.get())
                .map(t -> t.child(random))
                .orElseGet(() -> TraceContext.newRoot(random)));
    return runPipeline(link, agreed, sha256, trace);
  }

  /** Reports a refusal once (a refresh that finds the same refusal again stays quiet). */
  private UpdateOutcome refuse(
      PipelineState stage, String target, String reason, boolean failedHash) {
    return refuse(stage, target, reason, failedHash, Optional.empty());
  }

  private UpdateOutcome refuse(
      PipelineState stage,
      String target,
      String reason,
      boolean failedHash,
      Optional<TraceContext> trace) {
    UpdateOutcome.Refused refused = new UpdateOutcome.Refused(stage, target, reason);
    String key = stage + " " + target + " " + reason;
    if (!key.equals(lastRefusal)) {
      lastRefusal = key;
      decide(
          AuditKind.REFUSED,
          JsonObject.builder()
              .put("stage", stage.name())
              .put("target", target)
              .put("reason", reason)
              .put("failed_hash", failedHash)
              .build(),
          trace);
    }
    return refused;
  }

  /**
   * Walks each stored root back to its commissioned anchor over the broker's root history, once per
   * start: a trusted store edited while the gateway was off is caught before anything it would
   * vouch for is installed.
   */
  private void verifyStoredRoots(MqttConnection link) {
    FetchOptions fetch = config.schedule().fetch();
    TufClient.verifyRootChain(
        config.anchors().imageRoot(),
        imageStore.load("root").orElseThrow(),
        MqttRepository.imageRepository(link, fetch),
        true);
    TufClient.verifyRootChain(
        config.anchors().directorRoot(),
        directorStore.load("root").orElseThrow(),
        MqttRepository.director(link, id, fetch),
        true);
    rootsVerified = true;
  }

  private TufClient client(MqttConnection link, boolean director) {
    TufClient.Builder builder =
        TufClient.builder()
            .repository(
                director
                    ? MqttRepository.director(link, id, config.schedule().fetch())
                    : MqttRepository.imageRepository(link, config.schedule().fetch()))
            .store(director ? directorStore : imageStore)
            .clock(timeFloor.clock());
    return director
        ? builder.gatewayId(id).pin(config.anchors().siteKeys()).build()
        : builder.build();
  }

  // ---------------------------------------------------------------------------------------------
  // the pipeline

  private UpdateOutcome runPipeline(
      MqttConnection link, Agreement.Agreed agreed, String sha256, Optional<TraceContext> trace) {
    TargetFile target = agreed.target();
    String path = target.path();
    ReleaseInfo release = agreed.release();
    transition(PipelineState.FETCH, path);
    decide(
        AuditKind.ACCEPTED,
        JsonObject.builder()
            .put("target", path)
            .put("sha256", sha256)
            .put("module", release.module())
            .put("version", release.version())
            .put("release_counter", release.releaseCounter())
            .build(),
        trace);
    ControlLogic candidate = null;
    FieldPort candidatePort = null;
    try {
      download(link, target, sha256, trace);
      Staged staged = stage(target, release, sha256, trace);
      transition(PipelineState.PREFLIGHT, path);
      try {
        candidate =
            ControlLogic.builder(staged.bundle().module(), staged.manifest(), grant).build();
      } catch (RuntimeException e) {
        throw new Refusal(
            PipelineState.PREFLIGHT, "the module does not load: " + e.getMessage(), true);
      }
      candidatePort = site.bind(staged.manifest());
      List<ProcessImage> inputs;
      try {
        inputs =
            ShadowRun.liveSnapshots(
                candidatePort,
                staged.manifest(),
                Math.max(1, staged.manifest().shadowTicks()),
                INPUTS_GOOD_WITHIN,
                () -> closed);
      } catch (ShadowRun.NoShadowRun e) {
        throw new Held(e.getMessage());
      }
      PreflightReport preflight = preflight(candidate, inputs);
      List<String> comparison =
          running == null
              ? List.of("no live module to compare with (first install)")
              : ShadowRun.compareWithLive(staged.manifest(), preflight, inputs);
      decide(
          AuditKind.PREFLIGHT_PASSED,
          JsonObject.builder()
              .put("target", path)
              .put("self_test", preflight.selfTest())
              .put("shadow_ticks", preflight.shadowTicks().size())
              .put("state_round_trip", preflight.stateRoundTrip())
              .put("shadow_vs_live", ReportContent.strings(comparison))
              .build(),
          trace);
      UpdateOutcome.SwapReport swap =
          swap(staged, candidate, candidatePort, preflight, comparison, trace);
      candidate = null; // live now: the scan loop owns it
      candidatePort = null;
      return watchAndDecide(staged, swap, trace);
    } catch (Refusal refusal) {
      return endRefused(path, sha256, refusal, trace);
    } catch (Held held) {
      journal.clearModule(ModuleSlot.STAGED);
      journal.clearUpdate();
      decide(
          AuditKind.SWAP_HELD,
          JsonObject.builder().put("target", path).put("reason", held.getMessage()).build(),
          trace);
      return new UpdateOutcome.Held(path, held.getMessage());
    } catch (Interrupted e) {
      journal.clearModule(ModuleSlot.STAGED);
      journal.clearUpdate();
      return new UpdateOutcome.Blocked(e.getMessage());
    } finally {
      // a candidate that did not go live: its port stops, its instance is closed
      if (candidatePort != null) {
        candidatePort.close();
      }
      if (candidate != null) {
        candidate.close();
      }
    }
  }

  /** The pipeline stopped for now, not for a fault of the release: the next check tries again. */
  private static final class Held extends Exception {
    private static final long serialVersionUID = 1L;

    Held(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The download could not finish now (the broker went away); it resumes at the next check. */
  private static final class Interrupted extends Exception {
    private static final long serialVersionUID = 1L;

    Interrupted(String reason) {
      super(reason, null, false, false);
    }
  }

  private UpdateOutcome endRefused(
      String path, String sha256, Refusal refusal, Optional<TraceContext> trace) {
    if (refusal.failedHash) {
      journal.addFailedHash(sha256);
    }
    journal.clearModule(ModuleSlot.STAGED);
    journal.clearUpdate();
    if (!committedHashes().contains(sha256)) {
      modules.delete(sha256);
    }
    lastRefusal = null;
    return refuse(refusal.stage, path, refusal.getMessage(), refusal.failedHash, trace);
  }

  private void download(
      MqttConnection link, TargetFile target, String sha256, Optional<TraceContext> trace)
      throws Refusal, Interrupted {
    transition(PipelineState.DOWNLOAD, target.path());
    if (modules.has(sha256)) {
      return; // a bundle this gateway already holds (a rollback target, a held swap)
    }
    if (target.length() > ModuleStore.maxBundleBytes()) {
      throw new Refusal(
          PipelineState.DOWNLOAD,
          "the target is "
              + target.length()
              + " bytes, more than a bundle can be ("
              + ModuleStore.maxBundleBytes()
              + ")",
          false);
    }
    try {
      DownloadReport report =
          new ChunkFetcher(link, config.schedule().fetch())
              .download(ChunkTarget.of(target), modules.file(sha256), progress -> {});
      decide(
          AuditKind.DOWNLOADED,
          JsonObject.builder()
              .put("target", target.path())
              .put("length", target.length())
              .put("bytes_received", report.bytesReceived())
              .put("chunks_received", report.chunksReceived())
              .put("chunks_resumed", report.chunksReused())
              .put("chunks_rejected", report.chunksRejected())
              .build(),
          trace);
    } catch (UncheckedIOException e) {
      // a full disk or a broken file system: the partial file goes, so it frees what it took
      modules.delete(sha256);
      throw new Refusal(
          PipelineState.DOWNLOAD,
          "cannot write the download to "
              + modules.directory()
              + ": "
              + java.util.Objects.requireNonNullElse(e.getCause(), e).getMessage(),
          false);
    } catch (RepositoryException e) {
      // the broker has no chunk list, or stopped delivering chunks: availability, not content
      throw new Interrupted(
          "the download of " + target.path() + " stopped (it resumes): " + e.getMessage());
    } catch (TrustException e) {
      modules.delete(sha256); // a chunk list or chunk that does not match the signed hashes
      throw new Refusal(PipelineState.DOWNLOAD, e.kind() + ": " + e.getMessage(), false);
    }
  }

  private Staged stage(
      TargetFile target, ReleaseInfo release, String sha256, Optional<TraceContext> trace)
      throws Refusal {
    String path = target.path();
    transition(PipelineState.STAGE, path);
    try {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(modules.file(sha256));
      } catch (IOException e) {
        throw new Refusal(PipelineState.STAGE, "cannot read the download: " + e, false);
      }
      TufClient.verifyTarget(target, bytes); // length, SHA-256 and SHA-512 of the whole file
      Bundle bundle = BundleReader.withDefaults().read(bytes);
      Manifest manifest = Manifest.parse(bundle.manifestBytes());
      release.requireDescribes(bundle, path);
      long floor = journal.releaseFloor();
      if (release.releaseCounter() < floor) {
        throw new Refusal(
            PipelineState.STAGE,
            "release counter " + release.releaseCounter() + " is below the floor " + floor,
            false);
      }
      requireWithinGrant(manifest, PipelineState.STAGE);
      ModuleRef ref =
          new ModuleRef(manifest.name(), manifest.version(), sha256, release.releaseCounter());
      journal.putModule(ModuleSlot.STAGED, ref);
      decide(
          AuditKind.STAGED,
          JsonObject.builder().put("target", path).put("module", describe(ref)).build(),
          trace);
      return new Staged(ref, bundle, manifest);
    } catch (TrustException e) {
      throw new Refusal(PipelineState.STAGE, e.kind() + ": " + e.getMessage(), false);
    } catch (RuntimeException e) {
      throw new Refusal(PipelineState.STAGE, "the bundle is refused: " + e.getMessage(), false);
    }
  }

  private void requireWithinGrant(Manifest manifest, PipelineState stage) throws Refusal {
    if (CapabilityCheck.check(manifest, grant)
        instanceof CapabilityCheck.Rejected(var violations)) {
      throw new Refusal(
          stage,
          "the site grant refuses "
              + manifest.name()
              + " "
              + manifest.version()
              + ": "
              + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")),
          false);
    }
  }

  /**
   * Self-test, shadow ticks on live snapshots of the candidate's own port ({@code inputs}), state
   * round trip.
   */
  private PreflightReport preflight(ControlLogic candidate, List<ProcessImage> inputs)
      throws Refusal {
    Manifest manifest = candidate.manifest();
    PreflightReport report = candidate.preflight(inputs);
    if (!report.passed()) {
      throw new Refusal(
          PipelineState.PREFLIGHT,
          "preflight of "
              + manifest.name()
              + " "
              + manifest.version()
              + " failed: self-test "
              + report.selfTest()
              + "; "
              + report.faults().size()
              + " of "
              + report.shadowTicks().size()
              + " shadow ticks faulted"
              + report.faults().stream()
                  .findFirst()
                  .map(f -> " (first: " + f.kind() + ": " + f.detail() + ")")
                  .orElse("")
              + "; state round trip "
              + report.stateRoundTrip(),
          true);
    }
    return report;
  }

  private UpdateOutcome.SwapReport swap(
      Staged staged,
      ControlLogic candidate,
      FieldPort port,
      PreflightReport preflight,
      List<String> comparison,
      Optional<TraceContext> trace)
      throws Refusal, Held {
    String path = journal.update().map(UpdateState::target).orElse(staged.ref().name());
    Optional<UpdateLock> held = lock;
    if (held.isPresent()) {
      throw new Held(
          "the update lock is held by "
              + held.get().by()
              + " ("
              + held.get().reason()
              + ") since "
              + held.get().since());
    }
    transition(PipelineState.SWAP, path); // SWAP_PENDING: journaled before the loop is asked
    decide(
        AuditKind.SWAP_PENDING,
        JsonObject.builder().put("target", path).put("module", describe(staged.ref())).build(),
        trace);
    ScanLoop scan = loop;
    Running before = running;
    // the watch counts the new module's ticks from its very first one
    ticks.watch(staged.manifest().name(), staged.manifest().version());
    if (scan == null || before == null) {
      ticks.expectChange();
      startLoop(new Running(staged.ref(), candidate, port));
      decide(
          AuditKind.SWAPPED,
          JsonObject.builder()
              .put("target", path)
              .put("module", describe(staged.ref()))
              .put("first_install", true)
              .build(),
          trace);
      return new UpdateOutcome.SwapReport(
          preflight,
          comparison,
          0,
          -1,
          new dev.graft.gateway.runtime.StateLoad.Skipped("first module"),
          List.of());
    }
    ticks.expectChange();
    SwapOutcome outcome;
    try {
      outcome = awaitSwap(scan, candidate, port, SwapRequest.standard());
    } catch (Held e) {
      ticks.stopWatching();
      throw e;
    }
    switch (outcome) {
      case SwapOutcome.Held(String reason) -> {
        ticks.stopWatching();
        throw new Held("swap held: " + reason);
      }
      case SwapOutcome.Refused(String reason) -> {
        ticks.stopWatching();
        // not on the failed-hash list: the scan loop refuses a swap when saving or loading the
        // state faults, which a cold JVM's first load can do by overrunning its budget; nothing
        // went live, so there is no install/rollback loop to stop, and the next check tries again
        throw new Refusal(PipelineState.SWAP, "the swap was refused: " + reason, false);
      }
      case SwapOutcome.Swapped swapped -> {
        running = new Running(staged.ref(), candidate, port);
        previousLogic = before;
        try {
          ticks.awaitChange(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        long lastBefore = ticks.lastSlotBeforeChange();
        decide(
            AuditKind.SWAPPED,
            JsonObject.builder()
                .put("target", path)
                .put("from", describe(before.ref()))
                .put("to", describe(staged.ref()))
                .put("first_slot", swapped.firstSlot())
                .put("last_slot_before", lastBefore)
                .put("state", String.valueOf(swapped.state()))
                .build(),
            trace);
        return new UpdateOutcome.SwapReport(
            preflight,
            comparison,
            swapped.firstSlot(),
            lastBefore,
            swapped.state(),
            swapped.outputsToSafe());
      }
    }
  }

  /** The module the new one replaced, kept (compiled, with its state) until COMMIT. */
  private @Nullable Running previousLogic;

  private SwapOutcome awaitSwap(
      ScanLoop scan, ControlLogic next, FieldPort port, SwapRequest request) throws Held {
    Duration timeout =
        grant
            .swapCondition()
            .map(s -> Duration.ofSeconds(s.timeoutS()))
            .orElse(ScanLoop.DEFAULT_SWAP_TIMEOUT);
    CompletableFuture<SwapOutcome> pending = scan.swap(next, port, request);
    long deadline = System.nanoTime() + timeout.plus(SCAN_LOOP_ANSWER).toNanos();
    try {
      while (true) {
        try {
          return pending.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          boolean locked = !request.rollback() && lock.isPresent();
          if (closed || locked || System.nanoTime() - deadline > 0) {
            pending.cancel(false); // withdraws the request: nothing changes
            if (pending.isCancelled()) {
              throw new Held(
                  closed
                      ? "the agent is stopping"
                      : locked
                          ? "the update lock was taken while the swap waited"
                          : "the scan loop did not answer the swap");
            }
          }
        }
      }
    } catch (InterruptedException e) {
      pending.cancel(false);
      Thread.currentThread().interrupt();
      throw new Held("the agent is stopping");
    } catch (ExecutionException e) {
      return new SwapOutcome.Refused(String.valueOf(e.getCause()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // watch, commit, roll back

  private UpdateOutcome watchAndDecide(
      Staged staged, UpdateOutcome.SwapReport swap, Optional<TraceContext> trace) {
    String path = journal.update().map(UpdateState::target).orElse(staged.ref().name());
    transition(PipelineState.WATCH, path);
    publishStatus();
    UpdateOutcome.WatchReport watch = watch(staged.manifest());
    if (closed) {
      // stopped in the middle of the window: the journal still says WATCH, so the next start
      // runs the previous committed module (power loss behaves the same)
      return new UpdateOutcome.Blocked(
          "the agent stopped while watching " + describe(staged.ref()) + "; not committed");
    }
    decide(
        AuditKind.WATCHED,
        JsonObject.builder()
            .put("target", path)
            .put("module", describe(staged.ref()))
            .put("passed", watch.passed())
            .put("result", watch.describe())
            .build(),
        trace);
    Optional<ModuleRef> from = journal.module(ModuleSlot.INSTALLED);
    if (watch.passed()) {
      journal.commitStaged(path); // journals COMMIT with the slot move, in one transaction
      notifyTransition(new UpdateState(PipelineState.COMMIT, path));
      Running old = previousLogic;
      previousLogic = null;
      if (old != null) {
        old.logic().close();
      }
      journal.clearUpdate();
      modules.removeAllBut(committedHashes(), false);
      decide(
          AuditKind.COMMITTED,
          JsonObject.builder()
              .put("target", path)
              .put("module", describe(staged.ref()))
              .put("release_floor", journal.releaseFloor())
              .build(),
          trace);
      alarm = null;
      return new UpdateOutcome.Committed(from, staged.ref(), swap, watch);
    }
    return watchFailed(staged, swap, watch, trace);
  }

  /** The SHA-256 of the installed and the previous module: the bundles the gateway keeps. */
  private Set<String> committedHashes() {
    return java.util.stream.Stream.of(ModuleSlot.INSTALLED, ModuleSlot.PREVIOUS)
        .map(journal::module)
        .flatMap(Optional::stream)
        .map(ModuleRef::sha256)
        .collect(Collectors.toSet());
  }

  /**
   * Watches the new module for the grant's window: its faulted ticks, and, once per tick period,
   * the grant's {@code expect} on the port's snapshot (inputs as read, outputs as last written).
   * Ends early once the violations exceed the limit.
   */
  private UpdateOutcome.WatchReport watch(Manifest manifest) {
    Grant.Watch settings = grant.watch();
    long windowTicks = Math.max(1, settings.windowS() * 1000L / manifest.tickMs());
    long limit = settings.faultLimit();
    Condition expect = settings.expect();
    Running watched = java.util.Objects.requireNonNull(running);
    long expectFailures = 0;
    String firstExpect = null;
    try {
      long lastEvaluated = -1;
      while (!closed) {
        long seen = ticks.watchTicks();
        long faults = ticks.watchFaults();
        if (expect != null && seen > lastEvaluated && seen > 0) {
          lastEvaluated = seen;
          ProcessImage image = watched.port().snapshot();
          if (!expect.holds(name -> value(manifest, image, name))) {
            expectFailures++;
            if (firstExpect == null) {
              firstExpect = "expect '" + expect + "' did not hold at watch tick " + seen;
            }
          }
        }
        if (faults + expectFailures > limit || seen >= windowTicks) {
          break;
        }
        Thread.sleep(Math.max(1, manifest.tickMs() / 2));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ticks.stopWatching();
    }
    String firstFault = ticks.firstFault();
    Optional<String> first = Optional.ofNullable(firstFault != null ? firstFault : firstExpect);
    return new UpdateOutcome.WatchReport(
        ticks.watchTicks(), windowTicks, ticks.watchFaults(), expectFailures, limit, first);
  }

  private static OptionalDouble value(Manifest manifest, ProcessImage image, String name) {
    List<Manifest.Point> points = manifest.points();
    for (int i = 0; i < points.size(); i++) {
      if (points.get(i).name().equals(name)) {
        return image.quality(i) == ProcessImage.GOOD
            ? OptionalDouble.of(image.value(i))
            : OptionalDouble.empty();
      }
    }
    return OptionalDouble.empty();
  }

  private UpdateOutcome watchFailed(
      Staged staged,
      UpdateOutcome.SwapReport swap,
      UpdateOutcome.WatchReport watch,
      Optional<TraceContext> trace) {
    ModuleRef failed = staged.ref();
    journal.addFailedHash(failed.sha256());
    Running previous = previousLogic;
    Grant.RollbackMode mode = grant.rollback();
    UpdateOutcome.RollbackAction action;
    String explanation;
    Optional<ModuleRef> runs;
    if (mode == Grant.RollbackMode.AUTO && previous != null) {
      rollBack(previous, trace);
      action = UpdateOutcome.RollbackAction.ROLLED_BACK;
      runs = Optional.of(previous.ref());
      explanation =
          "rolled back "
              + describe(failed)
              + " → "
              + previous.ref().version()
              + ": "
              + watch.describe();
      decide(
          AuditKind.ROLLED_BACK,
          JsonObject.builder()
              .put("from", describe(failed))
              .put("to", describe(previous.ref()))
              .put("explanation", explanation)
              .build(),
          trace);
    } else if (mode == Grant.RollbackMode.ALARM) {
      action = UpdateOutcome.RollbackAction.ALARM;
      runs = Optional.of(failed);
      explanation =
          describe(failed)
              + " failed its watch and keeps running (rollback mode alarm): "
              + watch.describe();
      alarm = explanation;
      if (previous != null) {
        previous.logic().close();
      }
      decide(
          AuditKind.ALARM,
          JsonObject.builder()
              .put("module", describe(failed))
              .put("explanation", explanation)
              .build(),
          trace);
    } else {
      action = UpdateOutcome.RollbackAction.SAFE_OUTPUTS;
      runs = Optional.empty();
      explanation =
          describe(failed)
              + " failed its watch; the scan loop stopped with every output at its safe value"
              + (mode == Grant.RollbackMode.AUTO ? " (nothing to roll back to)" : "")
              + ": "
              + watch.describe();
      alarm = explanation;
      ScanLoop scan = loop;
      loop = null;
      running = null;
      if (scan != null) {
        scan.stopSafe(explanation);
      }
      if (previous != null) {
        previous.logic().close();
      }
      decide(
          AuditKind.SAFE_OUTPUTS,
          JsonObject.builder()
              .put("module", describe(failed))
              .put("explanation", explanation)
              .build(),
          trace);
    }
    previousLogic = null;
    journal.clearModule(ModuleSlot.STAGED);
    journal.clearUpdate();
    return new UpdateOutcome.WatchFailed(failed, runs, action, explanation, swap, watch);
  }

  /**
   * Swaps the previous committed module back in, with a fresh port, not carrying the failed
   * module's state. Waits for {@code update_permit} as long as it takes: the failed module keeps
   * running (its faults still go to the grant's fault policy) until the rollback is made.
   */
  private void rollBack(Running previous, Optional<TraceContext> trace) {
    ScanLoop scan = java.util.Objects.requireNonNull(loop);
    Running failed = java.util.Objects.requireNonNull(running);
    boolean reportedHeld = false;
    while (!closed) {
      FieldPort port = site.bind(previous.logic().manifest());
      SwapOutcome outcome;
      try {
        outcome = awaitSwap(scan, previous.logic(), port, SwapRequest.rollbackToPrevious());
      } catch (Held e) {
        outcome = new SwapOutcome.Held(e.getMessage());
      }
      if (outcome instanceof SwapOutcome.Swapped) {
        running = new Running(previous.ref(), previous.logic(), port);
        failed.logic().close();
        return;
      }
      port.close();
      if (!reportedHeld) {
        reportedHeld = true;
        decide(
            AuditKind.SWAP_HELD,
            JsonObject.builder()
                .put("rollback_to", describe(previous.ref()))
                .put("reason", String.valueOf(outcome))
                .build(),
            trace);
      }
      try {
        Thread.sleep(ROLLBACK_RETRY.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // journal, audit, reports

  private void transition(PipelineState state, String target) {
    UpdateState update = new UpdateState(state, target);
    journal.recordUpdate(update);
    notifyTransition(update);
  }

  private void notifyTransition(UpdateState update) {
    for (Consumer<UpdateState> listener : transitionListeners) {
      listener.accept(update);
    }
  }

  /** Audit first (durable), then the event: a decision that is not journaled was not taken. */
  private void decide(AuditKind kind, JsonObject detail, Optional<TraceContext> trace) {
    AuditRecord record = journal.appendAudit(now(), kind, detail);
    Reporter out = reporter;
    if (out != null) {
      JsonObject event =
          detail.toBuilder().put("event", kind.wireName()).put("audit_seq", record.seq()).build();
      try {
        out.event(event, directorTargets, trace);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "agent " + id + ": event not sent: " + e);
      }
    }
  }

  private void publishStatus() {
    Reporter out = reporter;
    if (out == null) {
      return;
    }
    try {
      out.status(ReportContent.status(status()), directorTargets);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "agent " + id + ": status not sent: " + e);
    }
  }

  private void sendHealth() {
    Reporter out = reporter;
    ScanLoop scan = loop;
    if (out == null || closed) {
      return;
    }
    List<LinkStatus> links = new ArrayList<>();
    for (String device : grant.devices().keySet()) {
      links.add(site.status(device));
    }
    JsonObject health =
        ReportContent.health(scan == null ? Optional.empty() : Optional.of(scan.stats()), links);
    try {
      out.health(health);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "agent " + id + ": health not sent: " + e);
    }
  }

  static String describe(ModuleRef module) {
    return module.name() + " " + module.version();
  }

  private Instant now() {
    return timeFloor.now();
  }
}
