package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.format.BundleWriter;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.signer.GraftRun;
import dev.graft.transport.ChunkFetcher;
import dev.graft.transport.ChunkTarget;
import dev.graft.transport.DownloadListener;
import dev.graft.transport.FetchOptions;
import dev.graft.transport.MqttConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Repositories, bundles and an MQTT reader for the {@code graft publish} tests. */
final class PublishFixtures {
  static final FetchOptions FAST =
      new FetchOptions(Duration.ofMillis(500), Duration.ofSeconds(20), 8, 2);

  private PublishFixtures() {}

  /**
   * A real bundle whose module carries {@code dataBytes} of deterministic data, so that it spans
   * several chunks: a WAT module compiled with wat2wasm, its manifest naming its hash.
   */
  static Path bundleWithData(Path dir, String name, String version, int dataBytes, long seed)
      throws Exception {
    byte[] data = new byte[dataBytes];
    new Random(seed).nextBytes(data);
    StringBuilder escaped = new StringBuilder();
    for (byte b : data) {
      escaped.append('\\').append(HexFormat.of().toHexDigits(b));
    }
    Path wat = dir.resolve(name + "-" + version + ".wat");
    Path wasm = dir.resolve(name + "-" + version + ".wasm");
    Files.writeString(
        wat,
        "(module (memory (export \"memory\") 1)"
            + " (data (i32.const 0) \""
            + escaped
            + "\")"
            + " (func (export \"tick\") (result i32) i32.const 0))");
    Process process =
        new ProcessBuilder("wat2wasm", wat.toString(), "-o", wasm.toString())
            .redirectErrorStream(true)
            .start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(new String(output, StandardCharsets.UTF_8)).isZero();
    byte[] module = Files.readAllBytes(wasm);
    return writeBundle(dir, name, version, module, manifest(name, version, module));
  }

  private static String manifest(String name, String version, byte[] module) throws Exception {
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(module));
    return "{\"abi\": \"graft/1\", \"name\": \""
        + name
        + "\", \"version\": \""
        + version
        + "\", \"module\": {\"sha256\": \""
        + sha256
        + "\"}, \"tick_ms\": 100, \"limits\": {\"memory_pages\": 1, \"tick_budget_us\": 1000},"
        + " \"points\": []}";
  }

  private static Path writeBundle(
      Path dir, String name, String version, byte[] module, String manifest) throws Exception {
    Path bundle = dir.resolve(name + "-" + version + ".graft");
    Files.write(bundle, BundleWriter.write(manifest.getBytes(StandardCharsets.UTF_8), module));
    return bundle;
  }

  /**
   * A demo repository (generated keys, passphrase {@code PASS}) with {@code bundles} released and
   * signed, so that it has something published.
   */
  static Path publishedRepository(Path temp, String chunkSize, Path... bundles) {
    Path repo = temp.resolve("repo");
    GraftRun.Result init =
        demo()
            .run(
                "repo", "init", repo.toString(), "--passphrase=env:PASS", "--kdf-iterations=10000");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    for (Path bundle : bundles) {
      GraftRun.Result add =
          demo()
              .run(
                  "release",
                  "add",
                  repo.toString(),
                  bundle.toString(),
                  "--hardware",
                  "gw-x86-64",
                  "--chunk-size",
                  chunkSize);
      assertThat(add.exitCode()).as(add.toString()).isZero();
    }
    signTargets(repo);
    return repo;
  }

  static void signTargets(Path repo) {
    GraftRun.Result sign =
        demo()
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                repo.resolve("keys/targets-1.pem").toString(),
                "--passphrase=env:PASS",
                "--yes");
    assertThat(sign.exitCode()).as(sign.toString()).isZero();
    assertThat(sign.out()).contains("Published");
  }

  /** The demo repository's passphrases, for its key files and its online keys. */
  static GraftRun demo() {
    return graft().env("PASS", "demo secret").env("GRAFT_ONLINE_PASSPHRASE", "demo secret");
  }

  /** Every retained message under {@code graft/v1/#}, collected until 1 s passes without one. */
  static Map<String, byte[]> retained(MqttConnection reader) throws InterruptedException {
    Map<String, byte[]> found = new ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicLong last =
        new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    reader.subscribe(
        "graft/v1/#",
        (topic, payload, retained) -> {
          if (retained && payload.length > 0) {
            found.put(topic, payload);
          }
          last.set(System.nanoTime());
        });
    try {
      while (System.nanoTime() - last.get() < TimeUnit.SECONDS.toNanos(1)) {
        Thread.sleep(100);
      }
    } finally {
      reader.unsubscribe("graft/v1/#");
    }
    return Map.copyOf(found);
  }

  /**
   * What a new gateway does: trusts {@code metadata/1.root.json} of {@code repo}, refreshes over
   * MQTT through the trust core, and downloads {@code path} chunk by chunk against the signed chunk
   * list. Returns the downloaded bytes.
   */
  static byte[] readBack(MqttConnection reader, Path repo, String path, boolean hybrid, Path into)
      throws Exception {
    InMemoryTrustedStore store = new InMemoryTrustedStore();
    TufClient.initialize(store, Files.readAllBytes(repo.resolve("metadata/1.root.json")), hybrid);
    TufClient client =
        TufClient.builder()
            .repository(dev.graft.transport.MqttRepository.imageRepository(reader, FAST))
            .store(store)
            .clock(Clock.systemUTC())
            .requireHybrid(hybrid)
            .build();
    client.refresh();
    TargetFile target = client.requireTarget(path);
    Path destination = into.resolve("downloaded-" + path);
    new ChunkFetcher(reader, FAST)
        .download(ChunkTarget.of(target), destination, DownloadListener.NONE);
    byte[] chunked = Files.readAllBytes(destination);
    // The Repository interface's own target download (whole file checked by the client) agrees.
    assertThat(client.downloadTarget(target)).isEqualTo(chunked);
    return chunked;
  }

  /** The SHA-256 of a file, as its topics name it. */
  static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** The parsed {@code --json} output of a command. */
  static JsonObject json(GraftRun.Result result) {
    return JsonParser.withDefaults().parseObject(result.out().getBytes(StandardCharsets.UTF_8));
  }
}
