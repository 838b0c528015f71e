package dev.graft.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.transport.testing.MosquittoBroker;
import dev.graft.transport.testing.SampleRepository;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whatever an attacker with broker access writes into a topic, a refresh ends either in success or
 * in a {@link TrustException} (or an I/O exception), never in a parser's own exception. The
 * unsigned {@code root/latest} hint in particular can never stop a refresh from the stored root.
 */
class UnsignedInputTest {
  private static final FetchOptions FAST =
      new FetchOptions(Duration.ofMillis(300), Duration.ofSeconds(10), 4, 2);

  private static MosquittoBroker broker;
  private static MqttConnection connection;
  private static SampleRepository repo;

  @BeforeAll
  static void publishRepository() {
    broker = MosquittoBroker.start();
    connection = MqttConnection.open(MqttOptions.of(broker.uri()));
    repo = SampleRepository.create(KeyType.MLDSA65_ED25519);
    repo.signRoot(); // root version 2, so the client walks the chain and reads the hint
    repo.release();
    new Publisher(connection, Optional.empty()).publish(repo.publishSet(), PublishListener.NONE);
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
  void refresh_rootLatestHintAboveLongRange_ignoresHintAndRefreshes() {
    withPayload(Topics.repoRootLatest(), ascii("9999999999999999999"), this::refreshSucceeds);
  }

  @Test
  void refresh_rootLatestHintOversized_ignoresHintAndRefreshes() {
    withPayload(Topics.repoRootLatest(), ascii("1".repeat(4096)), this::refreshSucceeds);
  }

  @Test
  void refresh_randomBytesInRootLatestHint_alwaysRefreshes() {
    Random random = new Random(12);
    for (int size : List.of(1, 7, 19, 20, 33, 1000)) {
      withPayload(Topics.repoRootLatest(), randomBytes(random, size), this::refreshSucceeds);
    }
  }

  @Test
  void refresh_randomBytesInEveryMetadataTopic_onlyTrustOrIoExceptions() {
    Random random = new Random(13);
    List<String> topics = new ArrayList<>();
    for (PublishSet.MetadataFile file : repo.publishSet().metadata()) {
      topics.add(Topics.repoMetadata(file.role(), file.version()));
    }
    assertThat(topics).hasSizeGreaterThanOrEqualTo(5); // 2 roots, targets, snapshot, timestamp
    for (String topic : topics) {
      for (int size : List.of(1, 64, 5000)) {
        withPayload(topic, randomBytes(random, size), this::refreshEndsInTrustOrIo);
      }
      withPayload(
          topic,
          ascii("{\"signed\": {\"version\": 99999999999999999999}}"),
          this::refreshEndsInTrustOrIo);
    }
  }

  private void refreshSucceeds() {
    TufClient client = client();
    client.refresh();
    assertThat(client.root().version()).isEqualTo(2);
  }

  private void refreshEndsInTrustOrIo() {
    try {
      client().refresh();
    } catch (TrustException | UncheckedIOException expected) {
      // a refusal or a failed read: what the caller is prepared for
    }
    // Anything else propagates and fails the test.
  }

  private static TufClient client() {
    InMemoryTrustedStore store = new InMemoryTrustedStore();
    TufClient.initialize(store, repo.initialRoot(), true);
    return TufClient.builder()
        .repository(MqttRepository.imageRepository(connection, FAST))
        .store(store)
        .build();
  }

  /** Replaces one retained topic's payload for the duration of {@code check}, then restores it. */
  private static void withPayload(String topic, byte[] payload, Runnable check) {
    byte[] original = originalPayload(topic);
    connection.publishAndWait(topic, payload, true);
    try {
      check.run();
    } finally {
      connection.publishAndWait(topic, original, true);
    }
  }

  private static byte[] originalPayload(String topic) {
    if (topic.equals(Topics.repoRootLatest())) {
      return ascii("2");
    }
    for (PublishSet.MetadataFile file : repo.publishSet().metadata()) {
      if (Topics.repoMetadata(file.role(), file.version()).equals(topic)) {
        return file.bytes();
      }
    }
    throw new IllegalArgumentException(topic);
  }

  private static byte[] randomBytes(Random random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
