package dev.graft.tufcli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.bundle.testing.RecordingServer;
import dev.graft.bundle.testing.RepositoryFixture;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code bin/graft-tuf-client} launcher (after {@code package}) as a separate process
 * against a fixture repository over HTTP, with the system clock — and under libfaketime, which is
 * how conformance suites move a client's clock.
 */
class TufClientLauncherIT {
  private static final DateTimeFormatter FAKETIME_FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @TempDir Path temp;
  private RepositoryFixture fixture;
  private RecordingServer server;
  private Path metadataDir;

  @BeforeEach
  void setUp() throws IOException {
    fixture = new RepositoryFixture();
    // The launcher uses the system clock, so expiry is relative to the real now.
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    fixture.expires = now.plus(Duration.ofDays(30));
    fixture.rootExpires = now.plus(Duration.ofDays(365));
    server = RecordingServer.serving(fixture.repository);
    metadataDir = temp.resolve("metadata");
    Files.createDirectories(metadataDir);
    Path rootFile = temp.resolve("initial_root.json");
    Files.write(rootFile, fixture.publishRoot());
    fixture.publish();
    Result init =
        launch(List.of(), "--metadata-dir", metadataDir.toString(), "init", rootFile.toString());
    assertThat(init.status()).as(init.stderr()).isZero();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void launcher_refreshWithSystemClock_succeedsAndStoresTopLevelRoles() throws IOException {
    Result refresh = refresh(List.of());

    assertThat(refresh.status()).as(refresh.stderr()).isZero();
    assertThat(server.requests())
        .containsExactly(
            "/metadata/2.root.json",
            "/metadata/timestamp.json",
            "/metadata/1.snapshot.json",
            "/metadata/1.targets.json");
    try (var files = Files.list(metadataDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "root.json", "timestamp.json", "snapshot.json", "targets.json");
    }
  }

  @Test
  void launcher_underFaketimeAfterExpiry_refreshExits1() throws IOException {
    Optional<Path> faketime = onPath("faketime");
    assumeTrue(faketime.isPresent(), "faketime (Debian package faketime) is not installed");
    Result today = refresh(List.of());
    assertThat(today.status()).as(today.stderr()).isZero();

    // Noon, 60 days on: after the 30-day timestamp expiry, well before the 365-day root expiry.
    Instant later =
        Instant.now()
            .plus(Duration.ofDays(60))
            .truncatedTo(ChronoUnit.DAYS)
            .plus(Duration.ofHours(12));
    Result afterExpiry = refresh(List.of(faketime.get().toString(), FAKETIME_FORMAT.format(later)));

    assertThat(afterExpiry.status()).isEqualTo(1);
    assertThat(afterExpiry.stderr())
        .contains("ExpiredMetadataException: timestamp metadata version 1 expired")
        .contains("(now " + later.atOffset(ZoneOffset.UTC).toLocalDate());
    assertThat(afterExpiry.stderr()).doesNotContain("\tat ");
  }

  private Result refresh(List<String> prefix) throws IOException {
    return launch(
        prefix,
        "--metadata-dir",
        metadataDir.toString(),
        "--metadata-url",
        server.url("/metadata/"),
        "refresh");
  }

  private record Result(int status, String stderr) {}

  private Result launch(List<String> prefix, String... args) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(launcher().toString());
    command.addAll(List.of(args));
    Path stdout = temp.resolve("stdout.txt");
    Path stderr = temp.resolve("stderr.txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    builder.environment().remove("GRAFT_DEBUG");
    builder.environment().put("TZ", "UTC");
    Process process = builder.start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("launcher did not finish within 60 s: " + command);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return new Result(process.exitValue(), Files.readString(stderr, StandardCharsets.UTF_8));
  }

  private static Path launcher() {
    String configured = System.getProperty("graft.launcher");
    Path path = configured != null ? Path.of(configured) : Path.of("..", "bin", "graft-tuf-client");
    assertThat(path).as("the launcher bin/graft-tuf-client").isExecutable();
    return path.toAbsolutePath().normalize();
  }

  private static Optional<Path> onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
