package dev.graft.transport;

import static dev.graft.transport.MqttTransportTest.randomBytes;
import static dev.graft.transport.MqttTransportTest.readAll;
import static dev.graft.transport.MqttTransportTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.transport.testing.MosquittoBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker restart while a download waits for chunks: the connection comes back (a clean start, so
 * the broker forgot its subscriptions), re-subscribes the window and the download completes.
 */
class ReconnectTest {
  private static final int CHUNK = 1024;

  private static MosquittoBroker broker;

  @TempDir Path temp;

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void download_brokerRestartsWhileWaiting_reSubscribesAndCompletes() throws Exception {
    int chunks = 16;
    int firstHalf = 8;
    byte[] bundle = randomBytes(chunks * CHUNK, 30);
    PublishSet.TargetBlob blob = new PublishSet.TargetBlob(bundle, CHUNK);
    // Only the list and the first half are on the broker when the download starts.
    try (MqttConnection publisher = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      publisher.publishAndWait(Topics.chunkList(blob.sha256()), blob.chunkList().toBytes(), true);
      for (int i = 0; i < firstHalf; i++) {
        publisher.publishAndWait(Topics.chunk(blob.sha256(), i), chunk(bundle, i), true);
      }
    }
    FetchOptions options = new FetchOptions(Duration.ofSeconds(1), Duration.ofSeconds(30), 4, 2);
    try (MqttConnection reader = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      CountDownLatch halfway = new CountDownLatch(1);
      CompletableFuture<DownloadReport> download =
          CompletableFuture.supplyAsync(() ->
              new ChunkFetcher(reader, options)
                  .download(
                      new ChunkTarget(blob.sha256(), blob.chunkList().listSha256(), bundle.length),
                      temp.resolve("bundle"),
                      p -> {
                        if (p.chunksHave() == firstHalf) {
                          halfway.countDown();
                        }
                      }));
      assertThat(halfway.await(20, TimeUnit.SECONDS)).isTrue();
      // The reader now waits on subscriptions for chunks 8..11; the restart wipes them.
      broker.restart();
      waitFor(() -> reader.reconnects() >= 1 && reader.isConnected());
      assertThat(reader.reconnects()).isGreaterThanOrEqualTo(1);
      try (MqttConnection publisher = MqttConnection.open(MqttOptions.of(broker.uri()))) {
        for (int i = firstHalf; i < chunks; i++) {
          publisher.publishAndWait(Topics.chunk(blob.sha256(), i), chunk(bundle, i), true);
        }
      }
      DownloadReport report = download.get(40, TimeUnit.SECONDS);
      assertThat(readAll(temp.resolve("bundle"))).isEqualTo(bundle);
      assertThat(report.chunksReceived()).isEqualTo(chunks);
      // Only the window re-delivered after the reconnect can arrive twice.
      assertThat(report.bytesReceived()).isLessThanOrEqualTo(bundle.length + 4L * CHUNK);
    }
  }

  private static byte[] chunk(byte[] bundle, int index) {
    return Arrays.copyOfRange(bundle, index * CHUNK, (index + 1) * CHUNK);
  }
}
