package dev.graft.transport;

import static dev.graft.transport.MqttTransportTest.randomBytes;
import static dev.graft.transport.MqttTransportTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.transport.testing.MosquittoBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker restart in the middle of a download: the connection comes back and re-subscribes. */
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
  void download_brokerRestartsMidway_reconnectsAndCompletesFromMissingChunks() {
    int chunks = 16;
    byte[] bundle = randomBytes(chunks * CHUNK, 30);
    PublishSet.TargetBlob blob = new PublishSet.TargetBlob(bundle, CHUNK);
    try (MqttConnection publisher = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      new Publisher(publisher, Optional.empty())
          .publish(new PublishSet(List.of(), List.of(blob)), PublishListener.NONE);
    }
    // Retained messages survive the restart through mosquitto's persistence file.
    FetchOptions options = new FetchOptions(Duration.ofSeconds(1), Duration.ofSeconds(20), 4, 2);
    try (MqttConnection reader = MqttConnection.open(MqttOptions.of(broker.uri()))) {
      boolean[] restarted = {false};
      DownloadReport report =
          new ChunkFetcher(reader, options)
              .download(
                  new ChunkTarget(blob.sha256(), blob.chunkList().listSha256(), bundle.length),
                  temp.resolve("bundle"),
                  p -> {
                    if (p.chunksHave() == 4 && !restarted[0]) {
                      restarted[0] = true;
                      broker.restart();
                    }
                  });
      assertThat(readAll(temp.resolve("bundle"))).isEqualTo(bundle);
      assertThat(reader.reconnects()).isGreaterThanOrEqualTo(1);
      assertThat(report.chunksReceived()).isEqualTo(chunks);
      // Only the window in flight at the restart can arrive twice.
      assertThat(report.bytesReceived()).isLessThanOrEqualTo(bundle.length + 4L * CHUNK);
    }
  }
}
