package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonParser;
import dev.graft.signer.GraftRun;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code --classical} repository as other TUF tools see it: securesystemslib reads its metadata
 * (same canonical JSON, Ed25519 signatures verify), and {@code bin/graft-tuf-client} downloads a
 * release from it over HTTP as a static web server serves it. Also runs {@code bin/graft} itself.
 */
class ClassicalInteropIT {
  private static final Path ROOT_DIR = Path.of("..").toAbsolutePath().normalize();
  private static final String PASS = "classical passphrase";

  @TempDir static Path temp;
  private static Path repo;
  private static Path bundle;
  private static HttpServer server;

  @BeforeAll
  static void createAndServe() throws Exception {
    repo = temp.resolve("repo");
    GraftRun run = graft().env("PASS", PASS).env("GRAFT_ONLINE_PASSPHRASE", PASS);
    GraftRun.Result init =
        run.run(
            "repo",
            "init",
            repo.toString(),
            "--classical",
            "--passphrase=env:PASS",
            "--kdf-iterations=10000");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    bundle = Fixtures.bundle(temp, "thermostat", "2.0.0");
    assertThat(
            run.run("release", "add", repo.toString(), bundle.toString(), "--hardware", "gw-1")
                .exitCode())
        .isZero();
    GraftRun.Result sign =
        run.run(
            "sign",
            repo.toString(),
            "targets",
            "--key",
            repo.resolve("keys/targets-1.pem").toString(),
            "--passphrase=env:PASS",
            "--yes");
    assertThat(sign.exitCode()).as(sign.toString()).isZero();

    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          Path file = repo.resolve(path.substring(1)).normalize();
          boolean served =
              file.startsWith(repo.resolve("metadata")) || file.startsWith(repo.resolve("targets"));
          if (!served || !Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          byte[] bytes = Files.readAllBytes(file);
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void securesystemslib_readsCanonicalJsonAndVerifiesEd25519Signatures() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    assumeTrue(Files.isExecutable(python), "/usr/bin/python3 with python3-securesystemslib");
    Path script = Path.of("src/test/resources/check_metadata.py").toAbsolutePath();
    for (String name :
        List.of("1.root.json", "2.targets.json", "2.snapshot.json", "timestamp.json")) {
      Path metadata = repo.resolve("metadata").resolve(name);
      Path canonical = temp.resolve(name + ".canonical");
      Files.write(
          canonical,
          CanonicalJson.encode(
              JsonParser.withDefaults()
                  .parseObject(Files.readAllBytes(metadata))
                  .object("signed")));

      Run check =
          run(
              List.of(
                  python.toString(),
                  script.toString(),
                  metadata.toString(),
                  repo.resolve("metadata/1.root.json").toString(),
                  canonical.toString()));

      assertThat(check.status()).as(name + ": " + check.output()).isZero();
      assertThat(check.output()).contains("verified 1 signature(s)");
    }
  }

  @Test
  void graftTufClient_downloadsTheReleaseOverHttp() throws Exception {
    Path launcher = ROOT_DIR.resolve("bin/graft-tuf-client");
    assumeTrue(
        hasJar(ROOT_DIR.resolve("tuf-cli/target"), "tuf-cli-"),
        "*** bin/graft-tuf-client needs tuf-cli/target/tuf-cli-*.jar and tuf-cli/target/lib: run"
            + " ./mvnw -q -DskipTests package -pl tuf-cli -am first ***");
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    Path metadataDir = temp.resolve("client-metadata");
    Path targetDir = temp.resolve("client-targets");
    Files.createDirectories(metadataDir);
    Files.createDirectories(targetDir);

    Run init =
        run(
            List.of(
                launcher.toString(),
                "--metadata-dir",
                metadataDir.toString(),
                "init",
                repo.resolve("metadata/1.root.json").toString()));
    assertThat(init.status()).as(init.output()).isZero();
    Run download =
        run(
            List.of(
                launcher.toString(),
                "--metadata-dir",
                metadataDir.toString(),
                "--metadata-url",
                base + "/metadata/",
                "--target-name",
                "thermostat-2.0.0.graft",
                "--target-base-url",
                base + "/targets/",
                "--target-dir",
                targetDir.toString(),
                "download"));

    assertThat(download.status()).as(download.output()).isZero();
    assertThat(targetDir.resolve("thermostat-2.0.0.graft")).hasSameBinaryContentAs(bundle);
  }

  @Test
  void binGraft_launcherRunsTheCommand() throws Exception {
    Run version = run(List.of(ROOT_DIR.resolve("bin/graft").toString(), "--version"));
    assertThat(version.status()).as(version.output()).isZero();
    assertThat(version.output()).containsPattern("graft \\d+\\.\\d+\\.\\d+");

    Run status = run(List.of(ROOT_DIR.resolve("bin/graft").toString(), "status", repo.toString()));
    assertThat(status.status()).as(status.output()).isZero();
    assertThat(status.output()).contains("targets: version 2 published");

    Run usage = run(List.of(ROOT_DIR.resolve("bin/graft").toString(), "sign", "--bogus"));
    assertThat(usage.status()).isEqualTo(2);
  }

  private static boolean hasJar(Path dir, String prefix) throws IOException {
    if (!Files.isDirectory(dir.resolve("lib"))) {
      return false;
    }
    try (var files = Files.list(dir)) {
      return files.anyMatch(f -> {
        String name = f.getFileName().toString();
        return name.startsWith(prefix) && name.endsWith(".jar") && !name.contains("-tests");
      });
    }
  }

  private record Run(int status, String output) {}

  private static Run run(List<String> command) throws Exception {
    List<String> full = new ArrayList<>(command);
    ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
    builder.environment().remove("GRAFT_DEBUG");
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not finish within 60 s: " + command);
    }
    return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
