package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.gateway.agent.AgentConfig;
import dev.graft.gateway.agent.AgentStatus;
import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.UpdateOutcome;
import dev.graft.gateway.agent.journal.PipelineState;
import dev.graft.gateway.agent.report.Report;
import dev.graft.gateway.scan.ScanStats;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.testing.TcpProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent after the swap: a release that fails its watch (rolled back, alarmed, or stopped
 * with safe outputs, as the grant says), the grant's {@code expect}, the operator's update lock, a
 * broker that goes away, and metadata that expires — each with the running logic checked.
 */
class AgentWatchTest {
  /**
   * Long enough for 1.2.0 to trap (its 101st tick, 10 s at 100 ms) inside the window. Only the
   * grant 1.2.0 is watched under has it: the releases before it are committed under {@link
   * #SHORT_WATCH_S}, which keeps the class fast and leaves a tick that overruns its 5 ms budget on
   * a loaded machine less time to fail a watch that should pass.
   */
  private static final int TRAPPING_WATCH_S = 12;

  /** For releases that pass: a short window keeps the class fast. */
  private static final int SHORT_WATCH_S = 1;

  private static final Pattern ROLLED_BACK =
      Pattern.compile(
          "rolled back boiler-control 1\\.2\\.0 → 1\\.1\\.0: 1 fault in (\\d+) watch ticks"
              + " \\(limit 0\\); first: trap '(.+)' at watch tick (\\d+)");

  @TempDir static Path temp;
  static AgentBench bench;
  static ReleaseEngineer.Released v10;
  static ReleaseEngineer.Released v11;
  static ReleaseEngineer.Released v12;

  /**
   * The tick budget of the modules and the grant here. The examples' 5 ms is a wall-clock budget,
   * which the shared 2-CPU test machine overran now and then (and 25 ms too, while the JIT was
   * still compiling a fresh module); with a fault limit of 0 one such tick fails a preflight or a
   * watch. These tests are about the watch, not the budget, so they give the same modules half
   * their 100 ms tick.
   */
  private static final int TICK_BUDGET_US = 50_000;

  @BeforeAll
  static void startBench() throws Exception {
    bench = AgentBench.start(temp);
    v10 = release("1.0");
    v11 = release("1.1");
    v12 = release("1.2");
  }

  @AfterAll
  static void stopBench() throws Exception {
    bench.close();
  }

  @Test
  void checkNow_releaseTrapsInWatchWithRollbackAuto_previousRunsAgainAndReleaseIsRefusedAfter()
      throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-watch-auto", grant(SHORT_WATCH_S, "auto"));
    long floor;
    try (UpdateAgent agent = gateway.start()) {
      gateway.assign(v10.target());
      assertThat(committed(agent.checkNow()).to().version()).isEqualTo("1.0.0");
      gateway.assign(v11.target());
      UpdateOutcome.Committed to11 = committed(agent.checkNow());
      assertThat(to11.to().version()).isEqualTo("1.1.0");
      floor = agent.status().releaseFloor();
      assertThat(floor).isEqualTo(to11.to().releaseCounter());
    }
    gateway.changeGrant(grant(TRAPPING_WATCH_S, "auto"));
    try (UpdateAgent agent = gateway.start()) {
      gateway.assign(v12.target());
      UpdateOutcome.WatchFailed failed = watchFailed(agent.checkNow());

      assertThat(failed.action()).isEqualTo(UpdateOutcome.RollbackAction.ROLLED_BACK);
      assertThat(failed.failed().version()).isEqualTo("1.2.0");
      assertThat(failed.running().orElseThrow().version()).isEqualTo("1.1.0");
      Matcher explanation = ROLLED_BACK.matcher(failed.explanation());
      assertThat(explanation.matches()).as(failed.explanation()).isTrue();
      long watchTicks = Long.parseLong(explanation.group(1));
      long trapTick = Long.parseLong(explanation.group(3));
      assertThat(watchTicks).isEqualTo(failed.watch().ticks());
      assertThat(trapTick).isPositive().isLessThanOrEqualTo(watchTicks);
      assertThat(failed.watch().faults()).isEqualTo(1);
      assertThat(failed.watch().passed()).isFalse();

      AgentStatus status = agent.status();
      assertThat(status.running().orElseThrow().version()).isEqualTo("1.1.0");
      assertThat(status.installed().orElseThrow().version()).isEqualTo("1.1.0");
      assertThat(status.releaseFloor()).isEqualTo(floor);
      assertThat(status.failedHashes()).contains(sha256(v12));
      assertThat(status.scan().orElseThrow().version()).isEqualTo("1.1.0");
      assertThat(status.staged()).isEmpty();
      assertThat(status.update()).isEmpty();
      assertThat(eventsOf(gateway, "rolled_back"))
          .singleElement()
          .satisfies(
              e -> assertThat(e.content().string("explanation")).isEqualTo(failed.explanation()));
      assertThat(auditOf(agent, AuditKind.ROLLED_BACK))
          .singleElement()
          .satisfies(
              r -> assertThat(r.detail().string("explanation")).isEqualTo(failed.explanation()));

      long swaps = agent.status().scan().orElseThrow().swaps();
      gateway.assign(v12.target());
      UpdateOutcome again = agent.checkNow();

      assertThat(again).isInstanceOf(UpdateOutcome.Refused.class);
      UpdateOutcome.Refused refused = (UpdateOutcome.Refused) again;
      assertThat(refused.stage()).isEqualTo(PipelineState.FETCH);
      assertThat(refused.reason()).contains("failed-hash list").contains(sha256(v12));
      assertThat(agent.status().scan().orElseThrow().swaps()).isEqualTo(swaps);
      assertThat(agent.status().running().orElseThrow().version()).isEqualTo("1.1.0");
    }
  }

  @Test
  void checkNow_releaseTrapsInWatchWithRollbackAlarm_keepsRunningUncommittedUntilRestart()
      throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-watch-alarm", grant(SHORT_WATCH_S, "alarm"));
    try (UpdateAgent agent = gateway.start()) {
      gateway.assign(v11.target());
      assertThat(committed(agent.checkNow()).to().version()).isEqualTo("1.1.0");
    }
    gateway.changeGrant(grant(TRAPPING_WATCH_S, "alarm"));
    try (UpdateAgent agent = gateway.start()) {
      gateway.assign(v12.target());

      UpdateOutcome.WatchFailed failed = watchFailed(agent.checkNow());

      assertThat(failed.action()).isEqualTo(UpdateOutcome.RollbackAction.ALARM);
      assertThat(failed.running().orElseThrow().version()).isEqualTo("1.2.0");
      assertThat(failed.explanation())
          .startsWith(
              "boiler-control 1.2.0 failed its watch and keeps running (rollback mode"
                  + " alarm): 1 fault in ")
          .contains("; first: trap '");
      AgentStatus status = agent.status();
      assertThat(status.running().orElseThrow().version()).isEqualTo("1.2.0");
      assertThat(status.scan().orElseThrow().version()).isEqualTo("1.2.0");
      assertThat(status.installed().orElseThrow().version()).isEqualTo("1.1.0");
      assertThat(status.alarm()).contains(failed.explanation());
      assertThat(status.failedHashes()).contains(sha256(v12));
      assertThat(eventsOf(gateway, "alarm"))
          .singleElement()
          .satisfies(
              e -> assertThat(e.content().string("explanation")).isEqualTo(failed.explanation()));
    }

    try (UpdateAgent restarted = gateway.start()) {
      AgentStatus status = restarted.status();
      assertThat(status.running().orElseThrow().version()).isEqualTo("1.1.0");
      assertThat(status.installed().orElseThrow().version()).isEqualTo("1.1.0");
      assertThat(status.scan().orElseThrow().version()).isEqualTo("1.1.0");
    }
  }

  @Test
  void checkNow_releaseTrapsInWatchWithRollbackSafe_scanLoopStopsWithBurnerOff() throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-watch-safe", grant(SHORT_WATCH_S, "safe"));
    try (UpdateAgent agent = gateway.start()) {
      gateway.assign(v10.target());
      assertThat(committed(agent.checkNow()).to().version()).isEqualTo("1.0.0");
    }
    gateway.changeGrant(grant(TRAPPING_WATCH_S, "safe"));
    try (UpdateAgent agent = gateway.start()) {
      gateway.assign(v12.target());

      UpdateOutcome.WatchFailed failed = watchFailed(agent.checkNow());

      assertThat(failed.action()).isEqualTo(UpdateOutcome.RollbackAction.SAFE_OUTPUTS);
      assertThat(failed.running()).isEmpty();
      assertThat(failed.explanation())
          .startsWith(
              "boiler-control 1.2.0 failed its watch; the scan loop stopped with every"
                  + " output at its safe value: 1 fault in ");
      AgentStatus status = agent.status();
      assertThat(status.running()).isEmpty();
      assertThat(status.scan()).isEmpty();
      assertThat(status.installed().orElseThrow().version()).isEqualTo("1.0.0");
      assertThat(status.alarm()).contains(failed.explanation());
      assertThat(eventsOf(gateway, "safe_outputs"))
          .singleElement()
          .satisfies(
              e -> assertThat(e.content().string("explanation")).isEqualTo(failed.explanation()));

      awaitTrue(
          "the burner coil at its safe value 0",
          Duration.ofSeconds(5),
          () -> !bench.site().plant().reading().burner());
      // nothing drives the coil any more: it stays at its safe value
      long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < until) {
        assertThat(bench.site().plant().reading().burner()).as("burner coil").isFalse();
        Thread.sleep(50);
      }
    }
  }

  @Test
  void checkNow_grantExpectDoesNotHold_watchFailsNamingTheExpect() throws Exception {
    AgentBench.Gateway gateway =
        bench.gateway("gw-watch-expect", grant(SHORT_WATCH_S + 1, "auto", "temp > 500"));
    try (UpdateAgent agent = gateway.start()) {
      gateway.assign(v10.target());

      UpdateOutcome.WatchFailed failed = watchFailed(agent.checkNow());

      assertThat(failed.watch().faults()).isZero();
      assertThat(failed.watch().expectFailures()).isEqualTo(1);
      assertThat(failed.explanation())
          .contains("0 faults and 1 failed expect in ")
          .containsPattern("; first: expect 'temp > 500' did not hold at watch tick \\d+$");
      // a first install has nothing to roll back to
      assertThat(failed.action()).isEqualTo(UpdateOutcome.RollbackAction.SAFE_OUTPUTS);
      assertThat(agent.status().failedHashes()).contains(sha256(v10));
    }
  }

  @Test
  void checkNow_updateLockHeld_swapHeldAcrossRestartUntilReleased() throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-watch-lock", grant(SHORT_WATCH_S, "auto"));
    UpdateAgent agent = gateway.start();
    try {
      gateway.assign(v10.target());
      assertThat(committed(agent.checkNow()).to().version()).isEqualTo("1.0.0");
      agent.lockUpdates("operator", "maintenance");
      gateway.assign(v11.target());

      UpdateOutcome outcome = agent.checkNow();

      assertThat(outcome).isInstanceOf(UpdateOutcome.Held.class);
      assertThat(((UpdateOutcome.Held) outcome).reason())
          .startsWith("the update lock is held by operator (maintenance) since ");
      assertThat(agent.status().running().orElseThrow().version()).isEqualTo("1.0.0");
      assertThat(agent.status().installed().orElseThrow().version()).isEqualTo("1.0.0");
      assertThat(auditOf(agent, AuditKind.OPERATOR))
          .singleElement()
          .satisfies(r -> {
            assertThat(r.detail().string("action")).isEqualTo("update lock taken");
            assertThat(r.detail().string("by")).isEqualTo("operator");
            assertThat(r.detail().string("reason")).isEqualTo("maintenance");
          });
    } finally {
      long closing = System.nanoTime();
      agent.close();
      // the next scheduled check, an hour away, must not hold the agent open
      assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(10));
    }

    try (UpdateAgent restarted = gateway.start()) {
      assertThat(restarted.status().lock())
          .hasValueSatisfying(lock -> {
            assertThat(lock.by()).isEqualTo("operator");
            assertThat(lock.reason()).isEqualTo("maintenance");
          });
      assertThat(restarted.checkNow()).isInstanceOf(UpdateOutcome.Held.class);
      assertThat(restarted.status().running().orElseThrow().version()).isEqualTo("1.0.0");

      restarted.releaseUpdateLock("operator");

      assertThat(restarted.status().lock()).isEmpty();
      assertThat(committed(restarted.checkNow()).to().version()).isEqualTo("1.1.0");
      assertThat(restarted.status().running().orElseThrow().version()).isEqualTo("1.1.0");
    }
  }

  @Test
  void checkNow_brokerGone_logicKeepsTickingChecksBackOffAndResumeWhenBack() throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-watch-offline", grant(SHORT_WATCH_S, "auto"));
    try (TcpProxy link = TcpProxy.to(bench.broker().port())) {
      MqttOptions viaLink =
          MqttOptions.of(link.uri()).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
      try (UpdateAgent first = gateway.start(gateway.config(viaLink))) {
        gateway.assign(v10.target());
        assertThat(committed(first.checkNow()).to().version()).isEqualTo("1.0.0");
      }

      link.cut();
      AgentConfig scheduled =
          gateway
              .config(viaLink)
              .withSchedule(
                  AgentConfig.Schedule.defaults()
                      .withRefreshEvery(Duration.ofMillis(200))
                      .withMaxBackoff(Duration.ofSeconds(2)));
      List<UpdateOutcome> outcomes = new CopyOnWriteArrayList<>();
      try (UpdateAgent agent = gateway.start(scheduled)) {
        agent.addListener(outcomes::add);
        ScanStats before = agent.status().scan().orElseThrow();
        long observedFrom = System.nanoTime();
        awaitTrue(
            "6 s of the broker being gone",
            Duration.ofSeconds(10),
            () -> System.nanoTime() - observedFrom >= Duration.ofSeconds(6).toNanos());

        // the logic runs on without the broker
        ScanStats after = agent.status().scan().orElseThrow();
        assertThat(after.version()).isEqualTo("1.0.0");
        assertThat(after.ticks()).isGreaterThanOrEqualTo(before.ticks() + 40);
        assertThat(after.missedSlots()).isZero();
        // checks back off: 200 ms doubling to 2 s is about 5 checks in 6 s, not 30
        assertThat(outcomes)
            .hasSizeBetween(2, 9)
            .allSatisfy(o -> assertThat(o).isInstanceOf(UpdateOutcome.Blocked.class));
        assertThat(link.refusedWhileCut()).isBetween(2, 12);

        UpdateOutcome offline = agent.checkNow();

        assertThat(offline).isInstanceOf(UpdateOutcome.Blocked.class);
        assertThat(((UpdateOutcome.Blocked) offline).reason())
            .startsWith("the broker cannot be reached: ");
        assertThat(agent.status().blocked())
            .hasValueSatisfying(b -> assertThat(b).startsWith("the broker cannot be reached: "));
        assertThat(agent.status().brokerConnected()).isFalse();

        link.restore();
        awaitTrue(
            "a scheduled check reaches the broker again",
            Duration.ofSeconds(15),
            () -> agent.status().brokerConnected());

        UpdateOutcome back = agent.checkNow();

        assertThat(back).isInstanceOf(UpdateOutcome.UpToDate.class);
        assertThat(agent.status().blocked()).isEmpty();
        assertThat(agent.status().running().orElseThrow().version()).isEqualTo("1.0.0");
      }
    }
  }

  @Test
  void checkNow_metadataExpired_blockedWhileLogicKeepsRunning() throws Exception {
    AgentBench.Gateway gateway = bench.gateway("gw-watch-expired", grant(SHORT_WATCH_S, "auto"));
    MovableClock clock = new MovableClock();
    try (UpdateAgent agent = gateway.start(gateway.config().withClock(clock))) {
      gateway.assign(v10.target());
      assertThat(committed(agent.checkNow()).to().version()).isEqualTo("1.0.0");
      clock.advance(Director.LIFETIME.plusDays(1));

      UpdateOutcome outcome = agent.checkNow();

      assertThat(outcome).isInstanceOf(UpdateOutcome.Blocked.class);
      String reason = ((UpdateOutcome.Blocked) outcome).reason();
      assertThat(reason).contains(" expired at ").contains("freeze attack");
      assertThat(agent.status().blocked()).contains(reason);
      assertThat(agent.status().running().orElseThrow().version()).isEqualTo("1.0.0");
      long ticks = agent.status().scan().orElseThrow().ticks();
      awaitTrue(
          "the logic ticking on",
          Duration.ofSeconds(10),
          () -> agent.status().scan().orElseThrow().ticks() >= ticks + 10);
    }
  }

  /** The example release with the tick budget raised to {@link #TICK_BUDGET_US}, published. */
  private static ReleaseEngineer.Released release(String release) throws IOException {
    Path relaxed = Files.createDirectories(temp.resolve("relaxed-wasm"));
    String name = Demo.MODULE + "-" + release;
    Files.copy(
        bench.wasm().resolve(name + ".wasm"),
        relaxed.resolve(name + ".wasm"),
        StandardCopyOption.REPLACE_EXISTING);
    String manifest = Files.readString(bench.wasm().resolve(name + ".manifest.json"));
    Files.writeString(
        relaxed.resolve(name + ".manifest.json"),
        relaxedBudget(manifest, "\"tick_budget_us\": 5000", "\"tick_budget_us\": "));
    return bench.releaseBundle(
        Demo.buildBundle(relaxed, release, Files.createDirectories(temp.resolve("bundles"))));
  }

  private static byte[] grant(int watchS, String rollback) {
    return grant(watchS, rollback, SiteGrant.EXPECT);
  }

  /** The bench's grant with its tick budget ceiling raised to {@link #TICK_BUDGET_US}. */
  private static byte[] grant(int watchS, String rollback, String expect) {
    String yaml = new String(bench.grantFor(watchS, rollback, expect), StandardCharsets.UTF_8);
    return relaxedBudget(yaml, "tick_budget_us: 5000", "tick_budget_us: ")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String relaxedBudget(String text, String budget, String prefix) {
    if (!text.contains(budget)) {
      throw new IllegalStateException("no '" + budget + "' to raise in:\n" + text);
    }
    return text.replace(budget, prefix + TICK_BUDGET_US);
  }

  private static UpdateOutcome.Committed committed(UpdateOutcome outcome) {
    assertThat(outcome).isInstanceOf(UpdateOutcome.Committed.class);
    return (UpdateOutcome.Committed) outcome;
  }

  private static UpdateOutcome.WatchFailed watchFailed(UpdateOutcome outcome) {
    assertThat(outcome).isInstanceOf(UpdateOutcome.WatchFailed.class);
    return (UpdateOutcome.WatchFailed) outcome;
  }

  private static String sha256(ReleaseEngineer.Released release) {
    return release.target().hashes().get("sha256");
  }

  private static List<Report> eventsOf(AgentBench.Gateway gateway, String event) {
    return gateway.verifiedEvents().stream()
        .filter(r -> r.content().optionalString("event").orElse("").equals(event))
        .toList();
  }

  private static List<AuditRecord> auditOf(UpdateAgent agent, AuditKind kind) {
    return agent.audit(1, 10_000).stream().filter(r -> r.kind() == kind).toList();
  }

  /** Waits for a condition; fails naming it when it does not come true in time. */
  private static void awaitTrue(String what, Duration within, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  /** The system clock, moved forward by a test: a gateway whose clock runs past the expiry. */
  private static final class MovableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration by) {
      offset = offset.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("UTC only");
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }
  }
}
