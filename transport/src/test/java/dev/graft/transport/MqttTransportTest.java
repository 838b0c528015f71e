package dev.graft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.HashMismatchException;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.transport.testing.MosquittoBroker;
import dev.graft.transport.testing.SampleRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publisher, repository and chunk fetcher against a real Mosquitto. */
class MqttTransportTest {
  private static final int CHUNK = 1024;
  private static final FetchOptions FAST =
      new FetchOptions(Duration.ofMillis(500), Duration.ofSeconds(10), 4, 2);

  private static MosquittoBroker broker;
  private static MqttConnection connection;

  @TempDir Path temp;

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.start();
    connection = MqttConnection.open(MqttOptions.of(broker.uri()));
  }

  @AfterAll
  static void stopBroker() {
    if (connection != null) {
      connection.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void publish_sampleRepository_tufClientRefreshesAndDownloadsTarget() {
    SampleRepository repo = SampleRepository.create(KeyType.MLDSA65_ED25519);
    byte[] bundle = randomBytes(5 * CHUNK + 300, 1);
    repo.addTarget("boiler-control-1.0.0.graft", bundle, CHUNK);
    repo.signRoot(); // root version 2: the client must walk the chain
    repo.release();
    PublishReport report =
        new Publisher(connection, Optional.empty())
            .publish(repo.publishSet(), PublishListener.NONE);
    // 2 roots + latest hint + 6 chunks + chunk list + targets + snapshot + timestamp
    assertThat(report.sent()).isEqualTo(13);

    InMemoryTrustedStore store = new InMemoryTrustedStore();
    TufClient.initialize(store, repo.initialRoot(), true);
    try (MqttConnection reader = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      TufClient client =
          TufClient.builder()
              .repository(MqttRepository.imageRepository(reader, FAST))
              .store(store)
              .build();
      client.refresh();
      assertThat(client.root().version()).isEqualTo(2);
      assertThat(client.timestamp().orElseThrow().version()).isEqualTo(repo.version());
      TargetFile target = client.requireTarget("boiler-control-1.0.0.graft");
      assertThat(client.downloadTarget(target)).isEqualTo(bundle);

      Path file = temp.resolve("bundle.graft");
      DownloadReport download =
          new ChunkFetcher(reader, FAST)
              .download(ChunkTarget.of(target), file, DownloadListener.NONE);
      assertThat(download.chunksReceived()).isEqualTo(6);
      assertThat(download.bytesReceived()).isEqualTo(bundle.length);
      assertThat(readAll(file)).isEqualTo(bundle);
      assertThat(store.load("root").orElseThrow())
          .isEqualTo(repo.publishSet().metadata().get(1).bytes());
    }
  }

  @Test
  void fetchMetadata_missingAndOversized_emptyOrRefused() {
    SampleRepository repo = SampleRepository.create(KeyType.ED25519);
    repo.release();
    new Publisher(connection, Optional.empty()).publish(repo.publishSet(), PublishListener.NONE);
    MqttRepository repository = MqttRepository.imageRepository(connection, FAST);

    // Above the root/latest hint: missing without waiting; a role never published: missing.
    assertThat(repository.fetchMetadata("root", OptionalLong.of(99), 1 << 20)).isEmpty();
    assertThat(repository.fetchMetadata("never-published", OptionalLong.of(1), 1 << 20)).isEmpty();
    assertThat(repository.fetchMetadata("root", OptionalLong.of(1), 1 << 20)).isPresent();
    assertThatThrownBy(() -> repository.fetchMetadata("timestamp", OptionalLong.empty(), 10))
        .isInstanceOf(EndlessDataException.class)
        .hasMessageContaining(
            "more than the 10 bytes allowed — possible endless-data attack; refusing it");
    assertThatThrownBy(() -> repository.fetchMetadata("a/b", OptionalLong.of(1), 100))
        .hasMessageContaining("role name");
  }

  @Test
  void download_severalChunks_everyChunkVerifiedAndFileComplete() {
    byte[] bundle = randomBytes(9 * CHUNK + 17, 2);
    PublishSet.TargetBlob blob = publishBlob(bundle);
    Path file = temp.resolve("several.graft");
    AtomicInteger progressCalls = new AtomicInteger();
    DownloadReport report =
        new ChunkFetcher(connection, FAST)
            .download(target(blob), file, p -> progressCalls.incrementAndGet());
    assertThat(readAll(file)).isEqualTo(bundle);
    assertThat(report.chunksReceived()).isEqualTo(10);
    assertThat(report.chunksRejected()).isZero();
    assertThat(progressCalls).hasValue(10);
    assertThat(Files.exists(temp.resolve("several.graft.part"))).isFalse();
  }

  @Test
  void download_corruptedRetainedChunk_refusedNotWrittenThenRecovers() {
    byte[] bundle = randomBytes(4 * CHUNK, 3);
    PublishSet.TargetBlob blob = publishBlob(bundle);
    byte[] corrupted = Arrays.copyOfRange(bundle, CHUNK, 2 * CHUNK);
    corrupted[100] ^= 0x5a;
    connection.publishAndWait(Topics.chunk(blob.sha256(), 1), corrupted, true);

    Path file = temp.resolve("corrupt.graft");
    assertThatThrownBy(() ->
            new ChunkFetcher(connection, FAST).download(target(blob), file, DownloadListener.NONE))
        .isInstanceOf(HashMismatchException.class)
        .hasMessageContaining("chunk 1 of target " + blob.sha256())
        .hasMessageContaining("failed verification 3 times")
        .hasMessageContaining("not written");
    assertThat(Files.exists(file)).isFalse();
    byte[] partial = Arrays.copyOf(readAll(temp.resolve("corrupt.graft.part")), 4 * CHUNK);
    assertThat(Arrays.copyOfRange(partial, CHUNK, 2 * CHUNK)).isNotEqualTo(corrupted);

    // The publisher repairs the chunk: the next attempt reuses what was verified and completes.
    connection.publishAndWait(
        Topics.chunk(blob.sha256(), 1), Arrays.copyOfRange(bundle, CHUNK, 2 * CHUNK), true);
    DownloadReport report =
        new ChunkFetcher(connection, FAST).download(target(blob), file, DownloadListener.NONE);
    assertThat(readAll(file)).isEqualTo(bundle);
    assertThat(report.chunksReused() + report.chunksReceived()).isEqualTo(4);
    assertThat(report.chunksReused()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void download_tamperedChunkList_refusedBeforeAnyChunk() {
    byte[] bundle = randomBytes(3 * CHUNK, 4);
    PublishSet.TargetBlob blob = publishBlob(bundle);
    ChunkTarget wrong = new ChunkTarget(blob.sha256(), "cd".repeat(32), bundle.length);
    Path file = temp.resolve("list.graft");
    assertThatThrownBy(
            () -> new ChunkFetcher(connection, FAST).download(wrong, file, DownloadListener.NONE))
        .isInstanceOf(HashMismatchException.class)
        .hasMessageContaining("chunk list of target")
        .hasMessageContaining("trusted metadata says " + "cd".repeat(32) + "; refusing it");
    assertThat(Files.exists(temp.resolve("list.graft.part"))).isFalse();
  }

  @Test
  void download_interrupted_resumesAtFirstMissingChunk() {
    int chunks = 12;
    byte[] bundle = randomBytes(chunks * CHUNK, 5);
    PublishSet.TargetBlob blob = publishBlob(bundle);
    Path file = temp.resolve("resume.graft");
    assertThatThrownBy(() ->
            new ChunkFetcher(connection, FAST)
                .download(
                    target(blob),
                    file,
                    p -> {
                      if (p.chunksHave() == 5) {
                        throw new IllegalStateException("power cut");
                      }
                    }))
        .hasMessage("power cut");
    assertThat(Files.exists(file)).isFalse();

    DownloadReport resumed =
        new ChunkFetcher(connection, FAST).download(target(blob), file, DownloadListener.NONE);
    assertThat(readAll(file)).isEqualTo(bundle);
    assertThat(resumed.chunksReused()).isEqualTo(5);
    assertThat(resumed.chunksReceived()).isEqualTo(chunks - 5);
    // What was verified before the cut is never fetched again.
    long verifiedBefore = (long) resumed.chunksReused() * CHUNK;
    assertThat(verifiedBefore + resumed.bytesReceived()).isLessThanOrEqualTo(bundle.length + CHUNK);
  }

  @Test
  void publish_interrupted_resumesWithoutResendingAcknowledgedChunks() throws Exception {
    int chunks = 40;
    byte[] bundle = randomBytes(chunks * CHUNK, 6);
    PublishSet.TargetBlob blob = new PublishSet.TargetBlob(bundle, CHUNK);
    PublishSet set = new PublishSet(List.of(), List.of(blob));
    Path journal = temp.resolve("publish.journal");
    Publisher publisher = new Publisher(connection, Optional.of(journal), 4);
    assertThatThrownBy(() ->
            publisher.publish(
                set,
                p -> {
                  if (p.chunksDone() == 10) {
                    throw new IllegalStateException("network cut");
                  }
                }))
        .hasMessage("network cut");

    AtomicInteger live = new AtomicInteger();
    try (MqttConnection observer = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      observer.subscribe(
          "graft/v1/repo/targets/" + blob.sha256() + "/chunk/+",
          (topic, payload, retained) -> {
            if (!retained) {
              live.incrementAndGet();
            }
          });
      List<PublishProgress> progress = new java.util.ArrayList<>();
      PublishReport report = publisher.publish(set, progress::add);
      assertThat(report.skipped()).isGreaterThanOrEqualTo(10);
      int resent = chunks - report.skipped();
      assertThat(report.sent()).isEqualTo(resent + 1); // the chunk list too
      waitFor(() -> live.get() >= resent);
      Thread.sleep(300); // nothing more may arrive
      assertThat(live).hasValue(resent);
      PublishProgress last = progress.getLast();
      assertThat(last.chunksDone()).isEqualTo(resent);
      assertThat(last.bytesDone()).isEqualTo(last.bytesTotal());
      assertThat(last.skipped()).isEqualTo(report.skipped());
      assertThat(last.bytesPerSecond()).isPositive();
    }
    // Everything is on the broker: a download succeeds.
    Path file = temp.resolve("published.graft");
    new ChunkFetcher(connection, FAST).download(target(blob), file, DownloadListener.NONE);
    assertThat(readAll(file)).isEqualTo(bundle);

    // A third run with the same journal sends nothing but what is not journaled.
    PublishReport again = publisher.publish(set, PublishListener.NONE);
    assertThat(again.sent()).isZero();
    assertThat(again.skipped()).isEqualTo(chunks + 1);
  }

  @Test
  void directorRepository_readsFleetRootAndOnlyItsOwnGatewayTopics() {
    connection.publishAndWait("graft/v1/director/root/1", bytes("root-1"), true);
    connection.publishAndWait("graft/v1/director/root/latest", bytes("1"), true);
    connection.publishAndWait("graft/v1/director/gw-a/timestamp", bytes("ts-a"), true);
    connection.publishAndWait("graft/v1/director/gw-a/targets/3", bytes("targets-a"), true);
    connection.publishAndWait("graft/v1/director/gw-b/timestamp", bytes("ts-b"), true);
    MqttRepository director = MqttRepository.director(connection, "gw-a", FAST);

    assertThat(director.fetchMetadata("root", OptionalLong.of(1), 100)).hasValue(bytes("root-1"));
    assertThat(director.fetchMetadata("root", OptionalLong.of(2), 100)).isEmpty();
    assertThat(director.fetchMetadata("timestamp", OptionalLong.empty(), 100))
        .hasValue(bytes("ts-a"));
    assertThat(director.fetchMetadata("targets", OptionalLong.of(3), 100))
        .hasValue(bytes("targets-a"));
    assertThatThrownBy(() -> director.fetchTarget("ab".repeat(32) + ".x.graft", 100))
        .hasMessageContaining("image repository");
    assertThatThrownBy(() -> MqttRepository.director(connection, "gw-b/../gw-a", FAST))
        .hasMessageContaining("gateway id");
  }

  @Test
  void fetchTarget_chunkListLongerThanAllowed_refusedBeforeAnyChunk() {
    byte[] bundle = randomBytes(6 * CHUNK, 7);
    PublishSet.TargetBlob blob = publishBlob(bundle);
    MqttRepository repository = MqttRepository.imageRepository(connection, FAST);
    assertThatThrownBy(() -> repository.fetchTarget(blob.sha256() + ".big.graft", 2 * CHUNK))
        .isInstanceOf(EndlessDataException.class)
        .hasMessageContaining(
            "(by its chunk list) is " + bundle.length + " bytes, more than the 2048 bytes allowed");
    assertThat(repository.fetchTarget(blob.sha256() + ".big.graft", bundle.length))
        .isEqualTo(bundle);
  }

  @Test
  void fetchTarget_pathWithoutHashPrefix_refusedWithReason() {
    MqttRepository repository = MqttRepository.imageRepository(connection, FAST);
    assertThatThrownBy(() -> repository.fetchTarget("boiler.graft", 100))
        .hasMessageContaining("consistent snapshots");
  }

  private static PublishSet.TargetBlob publishBlob(byte[] bundle) {
    PublishSet.TargetBlob blob = new PublishSet.TargetBlob(bundle, CHUNK);
    new Publisher(connection, Optional.empty())
        .publish(new PublishSet(List.of(), List.of(blob)), PublishListener.NONE);
    return blob;
  }

  private static ChunkTarget target(PublishSet.TargetBlob blob) {
    return new ChunkTarget(blob.sha256(), blob.chunkList().listSha256(), blob.bytes().length);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
