package dev.graft.tufcli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.testing.RecordingServer;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.tufclient.PercentEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The conformance command line, run in-process against a fixture repository served over HTTP. */
class TufClientCliTest {
  private static final List<String> TOP_LEVEL_FILES =
      List.of("root.json", "snapshot.json", "targets.json", "timestamp.json");

  @TempDir Path temp;
  private Path metadataDir;
  private Path targetDir;
  private RepositoryFixture fixture;
  private RecordingServer server;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() {
    metadataDir = temp.resolve("metadata");
    targetDir = temp.resolve("targets");
    fixture = new RepositoryFixture();
    server = RecordingServer.serving(fixture.repository);
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  // ---- helpers ---------------------------------------------------------------------------

  private int run(boolean debug, String... args) {
    out.reset();
    err.reset();
    PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new TufClientCli(stdout, stderr, RepositoryFixture.CLOCK, debug).run(args);
  }

  private int run(String... args) {
    return run(false, args);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Publishes root v1 and the other roles, and runs {@code init} with that root. */
  private void publishAndInit() throws IOException {
    byte[] root = fixture.publishRoot();
    fixture.publish();
    Path rootFile = temp.resolve("initial_root.json");
    Files.write(rootFile, root);
    assertThat(run("--metadata-dir", metadataDir.toString(), "init", rootFile.toString()))
        .as(stderr())
        .isZero();
    server.clearRequests();
  }

  private int refresh() {
    return run(
        "--metadata-dir",
        metadataDir.toString(),
        "--metadata-url",
        server.url("/metadata/"),
        "refresh");
  }

  private int download(String... targetNames) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--metadata-dir",
                metadataDir.toString(),
                "--metadata-url",
                server.url("/metadata/")));
    for (String name : targetNames) {
      args.add("--target-name");
      args.add(name);
    }
    args.addAll(
        List.of(
            "--target-base-url",
            server.url("/targets/"),
            "--target-dir",
            targetDir.toString(),
            "download"));
    return run(args.toArray(String[]::new));
  }

  private static List<String> fileNames(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private byte[] published(String fileName) {
    return fixture.repository.metadataFile(fileName).orElseThrow();
  }

  private String targetRequest(String path, String content) {
    String hashPrefixed =
        RepositoryFixture.hashPrefixed(
            fixture.targetFile(path, content.getBytes(StandardCharsets.UTF_8)));
    return "/targets/" + PercentEncoding.targetPath(hashPrefixed);
  }

  // ---- init / refresh ------------------------------------------------------------------

  @Test
  void refresh_consistentSnapshots_requestsInSpecOrderAndStoresNonVersionedFiles()
      throws IOException {
    publishAndInit();

    assertThat(refresh()).as(stderr()).isZero();

    assertThat(server.requests())
        .containsExactly(
            "/metadata/2.root.json",
            "/metadata/timestamp.json",
            "/metadata/1.snapshot.json",
            "/metadata/1.targets.json");
    assertThat(fileNames(metadataDir)).containsExactlyElementsOf(TOP_LEVEL_FILES);
    for (String role : List.of("root", "timestamp", "snapshot", "targets")) {
      assertThat(metadataDir.resolve(role + ".json")).hasBinaryContent(published(role + ".json"));
    }
  }

  @Test
  void refresh_secondRunWithNothingNew_fetchesOnlyRootProbeAndTimestamp() throws IOException {
    publishAndInit();
    assertThat(refresh()).isZero();
    server.clearRequests();

    assertThat(refresh()).as(stderr()).isZero();

    assertThat(server.requests())
        .containsExactly("/metadata/2.root.json", "/metadata/timestamp.json");
  }

  @Test
  void refresh_withoutConsistentSnapshots_requestsUnversionedNames() throws IOException {
    fixture.consistentSnapshot = false;
    fixture.addTarget("a.txt", "plain");
    publishAndInit();

    assertThat(download("a.txt")).as(stderr()).isZero();

    assertThat(server.requests())
        .containsExactly(
            "/metadata/2.root.json",
            "/metadata/timestamp.json",
            "/metadata/snapshot.json",
            "/metadata/targets.json",
            "/targets/a.txt");
    assertThat(targetDir.resolve("a.txt")).hasContent("plain");
  }

  @Test
  void refresh_rootRotatedTwice_walksChainUntil404AndStoresNewestRoot() throws IOException {
    publishAndInit();
    for (long version = 2; version <= 3; version++) {
      fixture.rootVersion = version;
      fixture
          .keys
          .get(dev.graft.bundle.metadata.RoleType.TIMESTAMP)
          .set(0, RepositoryFixture.newEd25519Key());
      fixture.publishRoot();
    }
    fixture.timestampVersion = 2;
    fixture.publish();

    assertThat(refresh()).as(stderr()).isZero();

    assertThat(server.requests())
        .startsWith(
            "/metadata/2.root.json",
            "/metadata/3.root.json",
            "/metadata/4.root.json",
            "/metadata/timestamp.json");
    assertThat(metadataDir.resolve("root.json")).hasBinaryContent(published("3.root.json"));
  }

  @Test
  void refresh_expiredTimestamp_exits1AndStoresNothingNew() throws IOException {
    fixture.expires = RepositoryFixture.NOW.minus(Duration.ofDays(1));
    publishAndInit();

    assertThat(refresh()).isEqualTo(1);

    assertThat(stderr())
        .contains("refresh failed: ExpiredMetadataException: timestamp metadata version 1 expired");
    assertThat(fileNames(metadataDir)).containsExactly("root.json");
  }

  @Test
  void init_thenRefresh_acceptsEqualsFormOfOptions() throws IOException {
    publishAndInit();
    int status =
        run(
            "--metadata-dir=" + metadataDir,
            "--metadata-url=" + server.url("/metadata"),
            "refresh");
    assertThat(status).as(stderr()).isZero();
    assertThat(server.requests()).contains("/metadata/1.targets.json");
  }

  @Test
  void init_unparsableRoot_exits1AndStoresNothing() throws IOException {
    Path rootFile = temp.resolve("root.json");
    Files.writeString(rootFile, "{\"signed\": ");

    assertThat(run("--metadata-dir", metadataDir.toString(), "init", rootFile.toString()))
        .isEqualTo(1);

    assertThat(stderr()).contains("init failed: JsonFormatException");
    assertThat(fileNames(metadataDir)).isEmpty();
  }

  @Test
  void init_rootNotSignedByItsOwnKeys_exits1AndStoresNothing() throws IOException {
    fixture.rootSigners = List.of(RepositoryFixture.newEd25519Key());
    Path rootFile = temp.resolve("root.json");
    Files.write(rootFile, fixture.publishRoot());

    assertThat(run("--metadata-dir", metadataDir.toString(), "init", rootFile.toString()))
        .isEqualTo(1);

    assertThat(stderr()).contains("ThresholdException");
    assertThat(fileNames(metadataDir)).isEmpty();
  }

  @Test
  void init_missingRootFile_exits1NamingIt() {
    Path rootFile = temp.resolve("absent.json");

    assertThat(run("--metadata-dir", metadataDir.toString(), "init", rootFile.toString()))
        .isEqualTo(1);

    assertThat(stderr()).contains(rootFile.toString()).contains("does not exist");
  }

  @Test
  void refreshAndDownload_corruptTrustedRoot_exit1WithoutAnyRequest() throws IOException {
    fixture.addTarget("a.txt", "content");
    publishAndInit();
    Files.writeString(metadataDir.resolve("root.json"), "{\"signed\": {}, \"signatures\": []}");

    assertThat(refresh()).isEqualTo(1);
    assertThat(download("a.txt")).isEqualTo(1);

    assertThat(stderr()).contains("download failed");
    assertThat(server.requests()).isEmpty();
    assertThat(fileNames(targetDir)).isEmpty();
  }

  @Test
  void refresh_notInitialised_exits1SayingSo() throws IOException {
    Files.createDirectories(metadataDir);
    fixture.publishRoot();
    fixture.publish();

    assertThat(refresh()).isEqualTo(1);

    assertThat(stderr()).contains("no trusted root metadata");
    assertThat(server.requests()).isEmpty();
  }

  // ---- download ------------------------------------------------------------------------

  @Test
  void download_consistentSnapshots_fetchesHashPrefixedTargetIntoTargetDir() throws IOException {
    fixture.addTarget("a.txt", "first artifact");
    publishAndInit();

    assertThat(download("a.txt")).as(stderr()).isZero();

    assertThat(server.requests())
        .containsExactly(
            "/metadata/2.root.json",
            "/metadata/timestamp.json",
            "/metadata/1.snapshot.json",
            "/metadata/1.targets.json",
            targetRequest("a.txt", "first artifact"));
    assertThat(fileNames(targetDir)).containsExactly("a.txt");
    assertThat(targetDir.resolve("a.txt")).hasContent("first artifact");
    assertThat(fileNames(metadataDir)).containsExactlyElementsOf(TOP_LEVEL_FILES);
  }

  @Test
  void download_delegatedRolesWithUnusualNames_walksPreOrderAndStoresEncodedNames()
      throws IOException {
    fixture.delegate("first", List.of("*"), false, RepositoryFixture.newEd25519Key());
    fixture.delegate("second/ü x", List.of("*"), false, RepositoryFixture.newEd25519Key());
    fixture.delegatedTargets.put(
        "second/ü x", Map.of("pkg.bin", "delegated".getBytes(StandardCharsets.UTF_8)));
    publishAndInit();

    assertThat(download("pkg.bin")).as(stderr()).isZero();

    assertThat(server.requests())
        .containsExactly(
            "/metadata/2.root.json",
            "/metadata/timestamp.json",
            "/metadata/1.snapshot.json",
            "/metadata/1.targets.json",
            "/metadata/1.first.json",
            "/metadata/1.second%2F%C3%BC%20x.json",
            targetRequest("pkg.bin", "delegated"));
    assertThat(fileNames(metadataDir))
        .containsExactly(
            "first.json",
            "root.json",
            "second%2F%C3%BC%20x.json",
            "snapshot.json",
            "targets.json",
            "timestamp.json");
    assertThat(metadataDir.resolve("second%2F%C3%BC%20x.json"))
        .hasBinaryContent(published("second/ü x.json"));
    assertThat(targetDir.resolve("pkg.bin")).hasContent("delegated");
  }

  @Test
  void download_repeatedTargetNames_inOrderWithOneRefreshStoppingAtFirstFailure()
      throws IOException {
    fixture.addTarget("a.txt", "A");
    fixture.addTarget("b.txt", "B");
    fixture.addTarget("c.txt", "C");
    publishAndInit();

    assertThat(download("b.txt", "a.txt", "missing.txt", "c.txt")).isEqualTo(1);

    assertThat(server.requests())
        .containsExactly(
            "/metadata/2.root.json",
            "/metadata/timestamp.json",
            "/metadata/1.snapshot.json",
            "/metadata/1.targets.json",
            targetRequest("b.txt", "B"),
            targetRequest("a.txt", "A"));
    assertThat(stderr())
        .contains("download of 'missing.txt' failed: TargetNotFoundException")
        .doesNotContain("c.txt");
    assertThat(fileNames(targetDir)).containsExactly("a.txt", "b.txt");
  }

  @Test
  void download_sameTargetTwice_secondRunUsesCacheThenChangedTargetReplacesSameFile()
      throws IOException {
    fixture.addTarget("a.txt", "version one");
    publishAndInit();
    assertThat(download("a.txt")).as(stderr()).isZero();
    server.clearRequests();

    assertThat(download("a.txt")).as(stderr()).isZero();
    assertThat(server.requests()).noneMatch(r -> r.startsWith("/targets/"));
    assertThat(stdout()).contains("already downloaded");

    fixture.addTarget("a.txt", "version two, changed");
    fixture.targetsVersion = 2;
    fixture.snapshotVersion = 2;
    fixture.timestampVersion = 2;
    fixture.publish();
    server.clearRequests();

    assertThat(download("a.txt")).as(stderr()).isZero();
    assertThat(server.requests()).contains(targetRequest("a.txt", "version two, changed"));
    assertThat(fileNames(targetDir)).containsExactly("a.txt");
    assertThat(targetDir.resolve("a.txt")).hasContent("version two, changed");
  }

  @Test
  void download_damagedCachedFile_isDownloadedAgain() throws IOException {
    fixture.addTarget("a.txt", "genuine");
    publishAndInit();
    assertThat(download("a.txt")).isZero();
    Files.writeString(targetDir.resolve("a.txt"), "GENUINE");
    server.clearRequests();

    assertThat(download("a.txt")).as(stderr()).isZero();

    assertThat(server.requests()).contains(targetRequest("a.txt", "genuine"));
    assertThat(targetDir.resolve("a.txt")).hasContent("genuine");
  }

  @Test
  void download_unusualTargetName_storedAsOneEncodedFileInsideTargetDir() throws IOException {
    String name = "dir/..sub/ünï côdé.txt";
    fixture.addTarget(name, "unusual");
    publishAndInit();

    assertThat(download(name)).as(stderr()).isZero();

    assertThat(server.requests()).last().isEqualTo(targetRequest(name, "unusual"));
    assertThat(server.requests().getLast()).startsWith("/targets/dir/..sub/");
    assertThat(fileNames(targetDir))
        .containsExactly("dir%2F..sub%2F%C3%BCn%C3%AF%20c%C3%B4d%C3%A9.txt");
    assertThat(targetDir.resolve("dir%2F..sub%2F%C3%BCn%C3%AF%20c%C3%B4d%C3%A9.txt"))
        .hasContent("unusual");
  }

  @Test
  void download_targetPathWithDotDotSegment_refusedWithoutRequestOrFile() throws IOException {
    fixture.addTarget("../escape.txt", "escaped");
    publishAndInit();

    assertThat(download("../escape.txt")).isEqualTo(1);

    assertThat(stderr()).contains("'..' segment");
    assertThat(server.requests()).noneMatch(r -> r.startsWith("/targets/"));
    assertThat(fileNames(targetDir)).isEmpty();
    assertThat(fileNames(temp))
        .containsExactlyInAnyOrder("initial_root.json", "metadata", "targets");
  }

  @Test
  void download_tamperedTarget_exits1AndNothingAppearsInTargetDir() throws IOException {
    fixture.addTarget("a.txt", "genuine");
    publishAndInit();
    byte[] genuine = "genuine".getBytes(StandardCharsets.UTF_8);
    fixture.repository.putTarget(
        RepositoryFixture.hashPrefixed(fixture.targetFile("a.txt", genuine)),
        "GENUINE".getBytes(StandardCharsets.UTF_8));

    assertThat(download("a.txt")).isEqualTo(1);

    assertThat(stderr()).contains("download of 'a.txt' failed: HashMismatchException");
    assertThat(fileNames(targetDir)).isEmpty();
    assertThat(fileNames(metadataDir)).containsExactlyElementsOf(TOP_LEVEL_FILES);
  }

  // ---- command line ----------------------------------------------------------------------

  static Stream<Arguments> usageErrors() {
    return Stream.of(
        Arguments.of(List.of(), "no command given"),
        Arguments.of(List.of("refresh"), "refresh needs --metadata-dir"),
        Arguments.of(List.of("--metadata-dir"), "option --metadata-dir needs a value"),
        Arguments.of(List.of("--metadata-dir", "d", "frobnicate"), "unknown command 'frobnicate'"),
        Arguments.of(List.of("--bogus", "x", "refresh"), "unknown option '--bogus'"),
        Arguments.of(List.of("--metadata-dir", "d", "refresh"), "refresh needs --metadata-url"),
        Arguments.of(
            List.of("--metadata-dir", "d", "--metadata-dir", "e", "init", "r"),
            "option --metadata-dir given more than once"),
        Arguments.of(List.of("--metadata-dir", "d", "init"), "init takes exactly one argument"),
        Arguments.of(
            List.of("--metadata-dir", "d", "init", "r", "--metadata-url", "u"),
            "option --metadata-url comes after the command word"),
        Arguments.of(
            List.of("--metadata-dir", "d", "--metadata-url", "u", "download"),
            "download needs at least one --target-name"),
        Arguments.of(
            List.of("--metadata-dir", "d", "--metadata-url", "u", "--target-name", "t", "refresh"),
            "--target-name does not apply to refresh"),
        Arguments.of(
            List.of("--metadata-dir", "d", "--metadata-url", "u", "init", "r"),
            "--metadata-url does not apply to init"),
        Arguments.of(
            List.of("--metadata-dir", "", "init", "r"),
            "option --metadata-dir has an empty value"));
  }

  @ParameterizedTest
  @MethodSource("usageErrors")
  void run_usageError_exits1WithReasonAndUsage(List<String> args, String reason) {
    assertThat(run(args.toArray(String[]::new))).isEqualTo(1);

    assertThat(stderr())
        .contains("graft-tuf-client: " + reason)
        .contains("usage: graft-tuf-client");
    assertThat(stdout()).isEmpty();
  }

  @Test
  void run_help_printsUsageAndExits0() {
    assertThat(run("--help")).isZero();
    assertThat(stdout()).startsWith("usage: graft-tuf-client");
    assertThat(stderr()).isEmpty();
  }

  @Test
  void run_failure_noStackTraceUnlessDebug() throws IOException {
    Files.createDirectories(metadataDir);
    assertThat(refresh()).isEqualTo(1);
    assertThat(stderr()).doesNotContain("\tat ");

    int status =
        run(
            true,
            "--metadata-dir",
            metadataDir.toString(),
            "--metadata-url",
            server.url("/m/"),
            "refresh");

    assertThat(status).isEqualTo(1);
    assertThat(stderr()).contains("\tat dev.graft.bundle.tuf.TufClient");
  }
}
