package dev.graft.transport;

import static dev.graft.transport.MqttTransportTest.randomBytes;
import static dev.graft.transport.MqttTransportTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.transport.testing.MosquittoBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning on a broker of its own: it clears every chunk list not kept. */
class PruneTest {
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
  void prune_targetNoLongerListed_chunksAndListCleared() {
    PublishSet.TargetBlob kept = new PublishSet.TargetBlob(randomBytes(3 * CHUNK, 10), CHUNK);
    PublishSet.TargetBlob stale = new PublishSet.TargetBlob(randomBytes(5 * CHUNK + 1, 11), CHUNK);
    Path journal = temp.resolve("journal");
    Publisher publisher = new Publisher(connection, Optional.of(journal));
    publisher.publish(new PublishSet(List.of(), List.of(kept, stale)), PublishListener.NONE);

    PruneReport report = publisher.prune(Set.of(kept.sha256()));

    assertThat(report.removedTargets()).containsExactly(stale.sha256());
    assertThat(report.clearedTopics()).isEqualTo(6 + 1);
    Map<String, byte[]> left =
        RetainedReader.collect(
            connection, "graft/v1/repo/targets/#", 1 << 20, Duration.ofMillis(500));
    assertThat(left.keySet()).allMatch(topic -> topic.contains(kept.sha256())).hasSize(3 + 1);
    assertThatThrownBy(() ->
            new ChunkFetcher(connection, FAST)
                .download(target(stale), temp.resolve("stale"), DownloadListener.NONE))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("no chunk list");
    new ChunkFetcher(connection, FAST)
        .download(target(kept), temp.resolve("kept"), DownloadListener.NONE);
    assertThat(readAll(temp.resolve("kept"))).isEqualTo(kept.bytes());

    // The journal forgot the pruned topics: publishing the stale target again re-sends it all.
    PublishReport again =
        publisher.publish(new PublishSet(List.of(), List.of(kept, stale)), PublishListener.NONE);
    assertThat(again.sent()).isEqualTo(6 + 1);
    assertThat(again.skipped()).isEqualTo(3 + 1);
  }

  @Test
  void prune_invalidKeepHash_refusedBeforeAnythingIsCleared() {
    PublishSet.TargetBlob blob = new PublishSet.TargetBlob(randomBytes(2 * CHUNK, 12), CHUNK);
    Publisher publisher = new Publisher(connection, Optional.empty());
    publisher.publish(new PublishSet(List.of(), List.of(blob)), PublishListener.NONE);
    assertThatThrownBy(() -> publisher.prune(Set.of("not-a-hash")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64 lowercase hex");
    assertThat(
            RetainedReader.fetch(
                connection, Topics.chunkList(blob.sha256()), 1 << 20, Duration.ofMillis(500)))
        .isPresent();
  }

  private static ChunkTarget target(PublishSet.TargetBlob blob) {
    return new ChunkTarget(blob.sha256(), blob.chunkList().listSha256(), blob.bytes().length);
  }
}
