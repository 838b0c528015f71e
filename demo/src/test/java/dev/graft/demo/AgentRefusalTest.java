package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.Digests;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.format.BundleWriter;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.gateway.agent.AgentStartException;
import dev.graft.gateway.agent.AgentStatus;
import dev.graft.gateway.agent.UpdateAgent;
import dev.graft.gateway.agent.UpdateOutcome;
import dev.graft.gateway.agent.journal.ModuleRef;
import dev.graft.gateway.agent.journal.PipelineState;
import dev.graft.gateway.agent.report.Report;
import dev.graft.gateway.agent.report.ReportVerifier;
import dev.graft.gateway.agent.report.Verification;
import dev.graft.gateway.scan.ScanStats;
import dev.graft.transport.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks and faults against the real agent, one test each: every refusal names its stage and the
 * problem, leaves the running logic and its journal slots as they were, leaves forged metadata out
 * of the trusted stores, and is in a signed {@code refused} event and a {@code REFUSED} audit
 * record. Each test starts from its own gateway with 1.0.0 committed.
 */
class AgentRefusalTest {
  @TempDir static Path temp;
  static AgentBench bench;
  static ReleaseEngineer.Released v10;
  static ReleaseEngineer.Released v11;

  /** Bundles released once per class: the image repository refuses a path released twice. */
  private static final Map<String, ReleaseEngineer.Released> BUNDLES = new HashMap<>();

  private static final Duration WITHIN = Duration.ofSeconds(10);

  private static final List<UpdateAgent> STARTED = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startBench() throws Exception {
    bench = AgentBench.start(temp);
    v10 = bench.release("1.0");
    v11 = bench.release("1.1");
    // every release before the first gateway starts, so a test's own check changes no image
    // metadata but what its attack brings
    grantBreaker();
    selfTestFails();
    runaway();
  }

  /** Stops each test's agent, so the scan loops of earlier tests do not load the next ones. */
  @AfterEach
  void stopAgents() {
    for (UpdateAgent agent : STARTED) {
      agent.close();
    }
    STARTED.clear();
  }

  @AfterAll
  static void stopBench() throws Exception {
    bench.close();
  }

  // ---------------------------------------------------------------------------------------------
  // forged or replayed metadata

  @Test
  void checkNow_directorTimestampWithFlippedSignatureByte_isRefusedInFetch() throws Exception {
    Committed gw = committed10("gw-refuse-badsig-ts");
    Director.Published next = gw.gateway().director.signedFor(gw.id(), v11.target(), grant(gw));
    String topic = Topics.directorMetadata(gw.id(), "timestamp", OptionalLong.empty());
    Before before = Before.of(gw);

    bench.releaseSide().publishAndWait(topic, flipSignature(next.timestamp()), true);
    UpdateOutcome outcome;
    try {
      outcome = gw.agent().checkNow();
    } finally {
      bench.releaseSide().publishAndWait(topic, gw.assigned().timestamp(), true);
    }

    UpdateOutcome.Refused refused =
        assertRefused(
            outcome,
            PipelineState.FETCH,
            "threshold",
            "timestamp metadata version " + next.version(),
            "valid signatures from 0");
    before.assertNothingChanged(gw, "image", "director");
    assertReported(gw, refused);
  }

  @Test
  void checkNow_directorTargetsWithFlippedSignatureByte_isRefusedInFetch() throws Exception {
    Committed gw = committed10("gw-refuse-badsig-targets");
    Director.Published next = gw.gateway().director.signedFor(gw.id(), v11.target(), grant(gw));
    Director.Published forged =
        new Director.Published(
            next.version(),
            flipSignature(next.targets()),
            next.grants(),
            next.snapshot(),
            next.timestamp());
    Before before = Before.of(gw);

    gw.gateway().director.publish(bench.releaseSide(), forged);
    UpdateOutcome outcome;
    try {
      outcome = gw.agent().checkNow();
    } finally {
      gw.gateway().director.publish(bench.releaseSide(), gw.assigned());
    }

    UpdateOutcome.Refused refused =
        assertRefused(
            outcome,
            PipelineState.FETCH,
            "threshold",
            "targets metadata version " + next.version(),
            "valid signatures from 0");
    // the genuine timestamp and snapshot that came with it are trusted, as TUF says; the forged
    // targets are not
    before.assertLogicUnchanged(gw);
    assertThat(fingerprint(gw, "director", "targets"))
        .as("the director's trusted targets after a forged targets file")
        .isEqualTo(before.trustedFiles("director", "targets"));
    assertThat(fingerprint(gw, "image")).isEqualTo(before.trusted().get("image"));
    assertReported(gw, refused);
  }

  @Test
  void checkNow_olderImageTimestampReplayed_isRefusedAsRollbackAttack() throws Exception {
    Committed gw = committed10("gw-refuse-rollback");
    // v10's timestamp is older than the one the gateway trusts: 1.1 (at least) was released since
    byte[] current = retained(Topics.repoTimestamp());
    assertThat(current).as("the broker's image timestamp").isNotEqualTo(v10.timestamp());
    Before before = Before.of(gw);

    bench.releaseSide().publishAndWait(Topics.repoTimestamp(), v10.timestamp(), true);
    UpdateOutcome outcome;
    try {
      outcome = gw.agent().checkNow();
    } finally {
      bench.releaseSide().publishAndWait(Topics.repoTimestamp(), current, true);
    }

    UpdateOutcome.Refused refused =
        assertRefused(outcome, PipelineState.FETCH, "rollback-attack", "timestamp");
    before.assertNothingChanged(gw, "image", "director");
    assertReported(gw, refused);
  }

  @Test
  void checkNow_directorTargetWithOtherHashesThanImageRepository_isRefusedAsDisagreement()
      throws Exception {
    Committed gw = committed10("gw-refuse-disagree");
    TargetFile genuine = v11.target();
    TargetFile other =
        TargetFile.of(
            genuine.path(),
            genuine.length(),
            Director.hashes("not the released bundle".getBytes(StandardCharsets.UTF_8)),
            Optional.empty());
    Before before = Before.of(gw);

    gw.gateway().assign(other);
    UpdateOutcome outcome = gw.agent().checkNow();

    UpdateOutcome.Refused refused =
        assertRefused(
            outcome, PipelineState.FETCH, "different content", "differs from image repository");
    // the director's metadata is genuinely signed, so it is trusted; only the image repository's
    // view must be untouched
    before.assertNothingChanged(gw, "image");
    assertThat(gw.agent().audit(1, 1000))
        .extracting(AuditRecord::kind)
        .as("nothing of the disagreeing target is accepted")
        .filteredOn(k -> k == AuditKind.ACCEPTED)
        .hasSize(1); // the 1.0.0 of the setup
    assertReported(gw, refused);
  }

  @Test
  void checkNow_directorMetadataForAnotherGatewayReplayed_isRefusedAsWrongGateway()
      throws Exception {
    Committed gw = committed10("gw-refuse-other-gw");
    Director.Published forOther =
        gw.gateway().director.signedFor("gw-refuse-someone-else", v11.target(), grant(gw));
    String topic = Topics.directorMetadata(gw.id(), "timestamp", OptionalLong.empty());
    Before before = Before.of(gw);

    bench.releaseSide().publishAndWait(topic, forOther.timestamp(), true);
    UpdateOutcome outcome;
    try {
      outcome = gw.agent().checkNow();
    } finally {
      bench.releaseSide().publishAndWait(topic, gw.assigned().timestamp(), true);
    }

    UpdateOutcome.Refused refused =
        assertRefused(outcome, PipelineState.FETCH, "wrong-gateway", "gw-refuse-someone-else");
    before.assertNothingChanged(gw, "image", "director");
    assertReported(gw, refused);
  }

  @Test
  void checkNow_grantsRoleSignedByAnotherKeyThanTheSiteKey_isRefusedAsPinnedKeyMismatch()
      throws Exception {
    Committed gw = committed10("gw-refuse-site-key");
    Director director = gw.gateway().director;
    Director.Published otherKey =
        director.signedWithOtherSiteKey(
            v11.target(), grant(gw), SoftwareKey.generate(KeyType.MLDSA65_ED25519));
    Before before = Before.of(gw);

    director.publish(bench.releaseSide(), otherKey);
    UpdateOutcome outcome = gw.agent().checkNow();

    UpdateOutcome.Refused refused =
        assertRefused(outcome, PipelineState.FETCH, "pinned-key-mismatch");
    // the director's own roles are genuinely signed and trusted; the grants role it delegated to
    // the unpinned key is not
    before.assertNothingChanged(gw, "image");
    assertThat(fingerprint(gw, "director", Director.GRANTS_ROLE))
        .as("the director's trusted grants role after one signed by another key")
        .isEqualTo(before.trustedFiles("director", Director.GRANTS_ROLE));
    assertReported(gw, refused);
  }

  // ---------------------------------------------------------------------------------------------
  // bundles that must not be installed

  @Test
  void checkNow_tamperedChunkOnBroker_isRefusedInDownloadAndLeavesNoFile() throws Exception {
    Committed gw = committed10("gw-refuse-chunk");
    String sha256 = sha256(v11.target());
    String topic = Topics.chunk(sha256, 0);
    byte[] genuine = retained(topic);
    byte[] tampered = genuine.clone();
    tampered[tampered.length / 2] ^= 0x01;
    Before before = Before.of(gw);

    bench.releaseSide().publishAndWait(topic, tampered, true);
    UpdateOutcome outcome;
    try {
      gw.gateway().assign(v11.target());
      outcome = gw.agent().checkNow();
    } finally {
      bench.releaseSide().publishAndWait(topic, genuine, true);
    }

    UpdateOutcome.Refused refused = assertRefused(outcome, PipelineState.DOWNLOAD, "hash-mismatch");
    before.assertNothingChanged(gw, "image");
    assertThat(moduleFiles(gw))
        .as("files of the refused download in %s", gw.data().resolve("modules"))
        .noneMatch(name -> name.startsWith(sha256));
    assertReported(gw, refused);
  }

  @Test
  void checkNow_manifestAsksForCoilOutsideTheGrant_isRefusedInStageNamingTheViolation()
      throws Exception {
    Committed gw = committed10("gw-refuse-grant");
    ReleaseEngineer.Released breaker = grantBreaker();
    Before before = Before.of(gw);

    gw.gateway().assign(breaker.target());
    UpdateOutcome outcome = gw.agent().checkNow();

    UpdateOutcome.Refused refused =
        assertRefused(outcome, PipelineState.STAGE, "the site grant refuses grant-breaker", "9");
    before.assertNothingChanged(gw, "image");
    assertThat(moduleFiles(gw)).noneMatch(name -> name.startsWith(sha256(breaker.target())));
    assertReported(gw, refused);
  }

  @Test
  void checkNow_moduleWhoseSelfTestFails_isRefusedInPreflightAndItsHashMarkedFailed()
      throws Exception {
    Committed gw = committed10("gw-refuse-selftest");
    ReleaseEngineer.Released failing = selfTestFails();
    Before before = Before.of(gw);

    gw.gateway().assign(failing.target());
    UpdateOutcome outcome = gw.agent().checkNow();

    UpdateOutcome.Refused refused =
        assertRefused(outcome, PipelineState.PREFLIGHT, "preflight of selftest-fails", "self-test");
    before.assertNothingChanged(gw, "image");
    assertThat(gw.agent().status().failedHashes()).containsExactly(sha256(failing.target()));
    assertReported(gw, refused);
  }

  @Test
  void checkNow_moduleThatOverrunsItsTickBudgetInShadowRun_isRefusedInPreflight() throws Exception {
    Committed gw = committed10("gw-refuse-runaway");
    ReleaseEngineer.Released runaway = runaway();
    Before before = Before.of(gw);

    gw.gateway().assign(runaway.target());
    UpdateOutcome outcome = gw.agent().checkNow();

    UpdateOutcome.Refused refused =
        assertRefused(outcome, PipelineState.PREFLIGHT, "preflight of runaway", "shadow ticks");
    assertThat(refused.reason()).as("the shadow run's first fault").containsPattern("first: ");
    before.assertNothingChanged(gw, "image");
    assertThat(gw.agent().status().failedHashes()).containsExactly(sha256(runaway.target()));
    assertReported(gw, refused);
  }

  @Test
  void checkNow_failedHashAssignedAgain_isRefusedInFetchWithoutDownloadUntilTheListIsCleared()
      throws Exception {
    Committed gw = committed10("gw-refuse-failed-hash");
    ReleaseEngineer.Released runaway = runaway();
    gw.gateway().assign(runaway.target());
    assertRefused(gw.agent().checkNow(), PipelineState.PREFLIGHT, "preflight of runaway");
    Before before = Before.of(gw);
    long lastSeq = lastAuditSeq(gw);

    gw.gateway().assign(runaway.target());
    UpdateOutcome again = gw.agent().checkNow();

    UpdateOutcome.Refused refused =
        assertRefused(again, PipelineState.FETCH, "failed-hash list", sha256(runaway.target()));
    before.assertNothingChanged(gw, "image");
    assertThat(gw.agent().audit(lastSeq + 1, 1000))
        .extracting(AuditRecord::kind)
        .as("audit records of the second offer")
        .contains(AuditKind.REFUSED)
        .doesNotContain(AuditKind.ACCEPTED, AuditKind.DOWNLOADED);
    assertReported(gw, refused);

    assertThat(gw.agent().clearFailedHashes("test")).isEqualTo(1);
    long clearedSeq = lastAuditSeq(gw);
    UpdateOutcome retried = gw.agent().checkNow();

    assertThat(retried)
        .as("the check after the list was cleared")
        .isInstanceOfSatisfying(
            UpdateOutcome.Refused.class,
            r -> assertThat(r.stage()).isEqualTo(PipelineState.PREFLIGHT));
    assertThat(gw.agent().audit(clearedSeq + 1, 1000))
        .extracting(AuditRecord::kind)
        .as("the cleared release is fetched and downloaded again")
        .containsSubsequence(AuditKind.ACCEPTED, AuditKind.DOWNLOADED, AuditKind.REFUSED);
  }

  @Test
  void checkNow_olderReleaseAssignedAfterNewerCommitted_isRefusedAsDowngrade() throws Exception {
    Committed gw = committed10("gw-refuse-downgrade");
    gw.gateway().assign(v11.target());
    assertThat(gw.agent().checkNow()).isInstanceOf(UpdateOutcome.Committed.class);
    long floor = gw.agent().status().releaseFloor();
    assertThat(floor).as("the floor after 1.1.0").isGreaterThan(1);
    Before before = Before.of(gw);

    gw.gateway().assign(v10.target());
    UpdateOutcome outcome = gw.agent().checkNow();

    UpdateOutcome.Refused refused =
        assertRefused(outcome, PipelineState.FETCH, "below floor", "refusing a downgrade");
    before.assertNothingChanged(gw, "image");
    assertThat(gw.agent().status().installed().orElseThrow().version()).isEqualTo("1.1.0");
    assertReported(gw, refused);
  }

  // ---------------------------------------------------------------------------------------------
  // bad input and faults of the gateway itself

  @Test
  void checkNow_malformedAndOversizedRetainedMetadata_isRefusedOrBlockedThenRecovers()
      throws Exception {
    Committed gw = committed10("gw-refuse-bad-input");
    String directorTimestamp = Topics.directorMetadata(gw.id(), "timestamp", OptionalLong.empty());
    String rootLatest = Topics.repoRootLatest();
    byte[] genuineRoot = retained(rootLatest);
    Random random = new Random(16);
    byte[] garbage = new byte[512];
    random.nextBytes(garbage);
    byte[] oversized = new byte[2 * 1024 * 1024];
    random.nextBytes(oversized);
    Before before = Before.of(gw);

    // the root hint is unsigned and only advisory: garbage there is ignored, and the check goes on
    Map<String, List<Class<?>>> allowed =
        Map.of(
            rootLatest,
            List.of(
                UpdateOutcome.UpToDate.class,
                UpdateOutcome.Refused.class,
                UpdateOutcome.Blocked.class),
            directorTimestamp,
            List.of(UpdateOutcome.Refused.class, UpdateOutcome.Blocked.class));
    for (String topic : List.of(rootLatest, directorTimestamp)) {
      for (byte[] payload : List.of(garbage, oversized)) {
        bench.releaseSide().publishAndWait(topic, payload, true);
        UpdateOutcome outcome;
        try {
          outcome = gw.agent().checkNow();
        } finally {
          bench.releaseSide().publishAndWait(rootLatest, genuineRoot, true);
          bench.releaseSide().publishAndWait(directorTimestamp, gw.assigned().timestamp(), true);
        }

        assertThat(outcome)
            .as("a check with %d bytes of garbage on %s", payload.length, topic)
            .isInstanceOfAny(allowed.get(topic).toArray(Class<?>[]::new));
        before.assertNothingChanged(gw, "image", "director");
      }
    }

    assertThat(gw.agent().checkNow())
        .as("the check once the genuine messages are back")
        .isInstanceOf(UpdateOutcome.UpToDate.class);
  }

  @Test
  void reportVerifier_realEventReplayedOrAddressedWrongly_isRejected() throws Exception {
    Committed gw = committed10("gw-refuse-reports");
    List<Report> events = gw.gateway().verifiedEvents();
    assertThat(events).as("events of the setup").hasSizeGreaterThanOrEqualTo(2);
    byte[] earlier = gw.gateway().events.getFirst();
    long lastCounter = events.getLast().counter();
    ReportVerifier verifier = ReportVerifier.withDefaults();

    Verification replayed =
        verifier.verify(earlier, gw.gateway().identity.publicKey(), gw.id(), lastCounter);
    Verification otherGateway =
        verifier.verify(earlier, gw.gateway().identity.publicKey(), "gw-refuse-other", 0);
    Verification otherKey =
        verifier.verify(earlier, SoftwareKey.generate(KeyType.ECDSA_P256).publicKey(), gw.id(), 0);

    assertThat(replayed)
        .isInstanceOfSatisfying(
            Verification.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(Verification.Reason.REPLAYED_COUNTER));
    assertThat(otherGateway)
        .isInstanceOfSatisfying(
            Verification.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(Verification.Reason.WRONG_GATEWAY));
    assertThat(otherKey)
        .isInstanceOfSatisfying(
            Verification.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(Verification.Reason.FORGED_SIGNATURE));
  }

  @Test
  void checkNow_diskFullDuringDownload_isRefusedLeavesNoPartialFileThenCommitsOnceSpaceIsBack()
      throws Exception {
    Committed gw = committed10("gw-refuse-disk-full");
    String sha256 = sha256(v11.target());
    Path partial = gw.data().resolve("modules").resolve(sha256 + ".graft.part");
    Files.createSymbolicLink(partial, Path.of("/dev/full"));
    Before before = Before.of(gw);

    gw.gateway().assign(v11.target());
    UpdateOutcome outcome = gw.agent().checkNow();

    UpdateOutcome.Refused refused =
        assertRefused(outcome, PipelineState.DOWNLOAD, "No space left on device");
    before.assertNothingChanged(gw, "image");
    assertThat(moduleFiles(gw))
        .as("files of the failed download")
        .noneMatch(name -> name.startsWith(sha256));
    assertReported(gw, refused);

    Files.deleteIfExists(partial); // the agent removed it already; space is back either way
    UpdateOutcome next = gw.agent().checkNow();

    assertThat(next)
        .isInstanceOfSatisfying(
            UpdateOutcome.Committed.class, c -> assertThat(c.to().version()).isEqualTo("1.1.0"));
  }

  @Test
  void start_journalWithEditedAuditRecord_throwsNamingTheRecordAndChangesNoModule()
      throws Exception {
    Committed gw = committed10("gw-refuse-journal");
    gw.agent().close();
    Map<String, String> modules = fingerprint(gw, "modules");
    assertThat(modules).as("module files of the stopped gateway").isNotEmpty();

    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:h2:file:"
                    + gw.data().resolve("journal").toAbsolutePath()
                    + ";WRITE_DELAY=0");
        Statement statement = connection.createStatement()) {
      assertThat(
              statement.executeUpdate("UPDATE audit_record SET detail = '{\"n\":0}' WHERE seq = 2"))
          .isEqualTo(1);
    }

    assertThatThrownBy(() -> gw.gateway().start())
        .isInstanceOf(AgentStartException.class)
        .hasMessageContaining("journal integrity check failed")
        .hasMessageContaining("audit record 2 ");
    assertThat(fingerprint(gw, "modules")).isEqualTo(modules);
  }

  // ---------------------------------------------------------------------------------------------
  // fixtures

  /** A gateway whose agent runs 1.0.0, committed, and the director version that assigned it. */
  private record Committed(
      AgentBench.Gateway gateway, UpdateAgent agent, Director.Published assigned) {
    String id() {
      return gateway.id;
    }

    Path data() {
      return gateway.data;
    }
  }

  /**
   * A fresh gateway running 1.0.0, committed. Its watch tolerates a few faults: a tick's budget (5
   * ms) is measured on the wall clock, and on a loaded machine a preempted tick of the setup's own
   * install could otherwise fail it before any attack. The refusals under test happen before any
   * watch.
   */
  private static Committed committed10(String id) {
    AgentBench.Gateway gateway = bench.gateway(id, 1, 3, "auto");
    Director.Published assigned = gateway.assign(v10.target());
    UpdateAgent agent = gateway.start();
    STARTED.add(agent);
    UpdateOutcome first = agent.checkNow();
    if (first instanceof UpdateOutcome.Committed committed
        && committed.to().version().equals("1.0.0")) {
      return new Committed(gateway, agent, assigned);
    }
    throw new AssertionError("the setup's install of 1.0.0 on " + id + " failed: " + first);
  }

  private static byte[] grant(Committed gw) {
    return gw.gateway().grant();
  }

  /** What a refusal must leave as it was: the logic, the journal's slots, the trusted files. */
  private record Before(
      ScanStats scan,
      Optional<ModuleRef> installed,
      Optional<ModuleRef> previous,
      long floor,
      Map<String, Map<String, String>> trusted) {

    static Before of(Committed gw) throws IOException {
      AgentStatus status = gw.agent().status();
      Map<String, Map<String, String>> trusted = new HashMap<>();
      for (String dir : List.of("image", "director")) {
        trusted.put(dir, AgentRefusalTest.fingerprint(gw, dir));
      }
      return new Before(
          status.scan().orElseThrow(),
          status.installed(),
          status.previous(),
          status.releaseFloor(),
          trusted);
    }

    Map<String, String> trustedFiles(String dir, String nameContains) {
      Map<String, String> all = Objects.requireNonNull(trusted.get(dir), dir);
      return filter(all, nameContains);
    }

    void assertNothingChanged(Committed gw, String... trustedDirs) throws IOException {
      assertLogicUnchanged(gw);
      for (String dir : trustedDirs) {
        assertThat(AgentRefusalTest.fingerprint(gw, dir))
            .as("the trusted metadata in %s after a refused update", dir)
            .isEqualTo(trusted.get(dir));
      }
    }

    void assertLogicUnchanged(Committed gw) {
      AgentStatus status = gw.agent().status();
      assertThat(status.installed()).as("installed").isEqualTo(installed);
      assertThat(status.previous()).as("previous").isEqualTo(previous);
      assertThat(status.releaseFloor()).as("release floor").isEqualTo(floor);
      assertThat(status.staged()).as("staged").isEmpty();
      assertThat(status.update()).as("update in progress").isEmpty();
      ScanStats now = status.scan().orElseThrow();
      assertThat(now.module()).as("running module").isEqualTo(scan.module());
      assertThat(now.version()).as("running version").isEqualTo(scan.version());
      assertThat(now.swaps()).as("swaps").isEqualTo(scan.swaps());
      awaitTrue(
          () -> gw.agent().status().scan().orElseThrow().ticks() > scan.ticks(),
          "the scan loop of " + gw.id() + " ticks on past tick " + scan.ticks());
    }
  }

  private static UpdateOutcome.Refused assertRefused(
      UpdateOutcome outcome, PipelineState stage, String... reasonNames) {
    assertThat(outcome).as("the outcome of the check").isInstanceOf(UpdateOutcome.Refused.class);
    UpdateOutcome.Refused refused = (UpdateOutcome.Refused) outcome;
    assertThat(refused.stage()).as("refused in %s: %s", stage, refused.reason()).isEqualTo(stage);
    assertThat(refused.reason()).as("the reason").contains(reasonNames);
    return refused;
  }

  /** The refusal is in a signed {@code refused} event and in a REFUSED audit record. */
  private static void assertReported(Committed gw, UpdateOutcome.Refused refused) {
    assertThat(gw.agent().audit(1, 1000))
        .filteredOn(r -> r.kind() == AuditKind.REFUSED)
        .extracting(r -> r.detail().string("reason"))
        .as("reasons of REFUSED audit records")
        .contains(refused.reason());
    awaitTrue(
        () -> gw.gateway().refusals().contains(refused.reason()),
        "a signed refused event of " + gw.id() + " saying: " + refused.reason());
  }

  private static long lastAuditSeq(Committed gw) {
    return gw.agent().status().auditHead().orElseThrow().seq();
  }

  /** Polls {@code condition} until it holds, failing with {@code what} after {@link #WITHIN}. */
  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not seen within " + WITHIN.toSeconds() + " s: " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
  }

  /** SHA-256 of every file under {@code <data>/<dir>}, by relative path. */
  private static Map<String, String> fingerprint(Committed gw, String dir) throws IOException {
    return Demo.fingerprint(gw.data(), List.of(dir));
  }

  private static Map<String, String> fingerprint(Committed gw, String dir, String nameContains)
      throws IOException {
    return filter(fingerprint(gw, dir), nameContains);
  }

  private static Map<String, String> filter(Map<String, String> prints, String nameContains) {
    Map<String, String> kept = new TreeMap<>();
    prints.forEach((name, hash) -> {
      if (name.contains(nameContains)) {
        kept.put(name, hash);
      }
    });
    assertThat(kept).as("trusted files named *%s*", nameContains).isNotEmpty();
    return kept;
  }

  private static List<String> moduleFiles(Committed gw) throws IOException {
    try (Stream<Path> files = Files.list(gw.data().resolve("modules"))) {
      return files
          .filter(f -> Files.exists(f, LinkOption.NOFOLLOW_LINKS))
          .map(f -> f.getFileName().toString())
          .toList();
    }
  }

  private static String sha256(TargetFile target) {
    return Objects.requireNonNull(target.hashes().get("sha256"), "sha256 of " + target.path());
  }

  private static byte[] retained(String topic) {
    return Demo.retained(bench.releaseSide(), topic);
  }

  /** The metadata with one hex digit of its first signature changed; nothing else differs. */
  private static byte[] flipSignature(byte[] metadata) {
    String text = new String(metadata, StandardCharsets.UTF_8);
    Matcher sig = Pattern.compile("\"sig\"\\s*:\\s*\"([0-9a-f])").matcher(text);
    assertThat(sig.find()).as("a signature in %s", text).isTrue();
    char digit = sig.group(1).charAt(0);
    String flipped =
        text.substring(0, sig.start(1)) + (digit == '0' ? '1' : '0') + text.substring(sig.end(1));
    return flipped.getBytes(StandardCharsets.UTF_8);
  }

  /** boiler-control 1.1's module, with a manifest whose output is coil 9: outside the grant. */
  private static ReleaseEngineer.Released grantBreaker() throws IOException {
    String manifest =
        Files.readString(bench.wasm().resolve("boiler-control-1.1.manifest.json"))
            .replace("\"name\": \"boiler-control\"", "\"name\": \"grant-breaker\"")
            .replace(
                "{\"table\": \"coil\", \"address\": 3}", "{\"table\": \"coil\", \"address\": 9}");
    assertThat(manifest).contains("grant-breaker").contains("\"address\": 9");
    return releaseOnce(
        "grant-breaker-1.1.0",
        manifest.getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(bench.wasm().resolve("boiler-control-1.1.wasm")));
  }

  /** The examples' runaway module (graft_tick never returns), with its manifest. */
  private static ReleaseEngineer.Released runaway() throws IOException {
    return releaseOnce(
        "runaway-1.0.0",
        Files.readAllBytes(bench.wasm().resolve("runaway.manifest.json")),
        Files.readAllBytes(bench.wasm().resolve("runaway.wasm")));
  }

  /** A module whose graft_self_test reports fault code 3, within the bench's grant. */
  private static ReleaseEngineer.Released selfTestFails() throws Exception {
    Path dir = Files.createDirectories(bench.work().resolve("selftest-fails"));
    Path wat = dir.resolve("selftest-fails.wat");
    Path wasm = dir.resolve("selftest-fails.wasm");
    Files.writeString(
        wat,
        """
        (module
          (memory (export "memory") 1 1)
          (func (export "graft_self_test") (result i32) (i32.const 3))
          (func (export "graft_tick") (param $now i64) (result i32) (i32.const 0)))
        """);
    Process wat2wasm =
        new ProcessBuilder("wat2wasm", wat.toString(), "-o", wasm.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(wat2wasm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(wat2wasm.waitFor()).as("wat2wasm: %s", output).isZero();
    byte[] module = Files.readAllBytes(wasm);
    String manifest =
        """
        {
          "abi": "graft/1",
          "name": "selftest-fails", "version": "1.0.0",
          "module": {"sha256": "%s"},
          "tick_ms": 100,
          "limits": {"memory_pages": 1, "tick_budget_us": 5000},
          "points": [
            {"name": "temp",   "dir": "in",  "device": "boiler-plc",
             "modbus": {"table": "input_register", "address": 0, "type": "int16", "scale": 0.1}},
            {"name": "burner", "dir": "out", "device": "boiler-plc",
             "modbus": {"table": "coil", "address": 3}}
          ],
          "self_test": true,
          "shadow_ticks": 3
        }
        """
            .formatted(Digests.hex("SHA-256", module));
    return releaseOnce("selftest-fails-1.0.0", manifest.getBytes(StandardCharsets.UTF_8), module);
  }

  private static synchronized ReleaseEngineer.Released releaseOnce(
      String name, byte[] manifest, byte[] wasm) throws IOException {
    ReleaseEngineer.Released released = BUNDLES.get(name);
    if (released == null) {
      Path file = bench.work().resolve("release").resolve(name + ".graft");
      Files.write(file, BundleWriter.write(manifest, wasm));
      released = bench.releaseBundle(file);
      BUNDLES.put(name, released);
    }
    return released;
  }
}
