package dev.graft.transport;

import dev.graft.bundle.EndlessDataException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads retained messages by subscribing. MQTT has no "not found": a topic without a retained
 * message simply stays silent, so absence is a short wait ({@code absentAfter}) after the SUBACK.
 * The broker delivers retained messages right after the SUBACK, so the wait only has to cover the
 * network, not the broker.
 */
final class RetainedReader {
  @SuppressWarnings("ArrayRecordComponent") // private, never compared
  private record Message(String topic, byte[] payload) {}

  private RetainedReader() {}

  /**
   * The retained message of one topic; empty when none arrives within {@code absentAfter} or it is
   * the empty message that clears a retained topic.
   *
   * @throws EndlessDataException when the message is longer than {@code maxLength}
   */
  static Optional<byte[]> fetch(
      MqttConnection connection, String topic, long maxLength, Duration absentAfter) {
    BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    connection.subscribe(topic, (t, payload, retained) -> queue.offer(new Message(t, payload)));
    try {
      Message message = queue.poll(absentAfter.toNanos(), TimeUnit.NANOSECONDS);
      if (message == null || message.payload().length == 0) {
        return Optional.empty();
      }
      if (message.payload().length > maxLength) {
        throw EndlessDataException.of(topic, maxLength, message.payload().length);
      }
      return Optional.of(message.payload());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while reading " + topic, e);
    } finally {
      connection.unsubscribe(topic);
    }
  }

  /**
   * Every retained message under a wildcard filter: collects until no message arrived for {@code
   * quiet}. Messages longer than {@code maxEach} are skipped, empty ones (cleared topics) ignored.
   */
  static Map<String, byte[]> collect(
      MqttConnection connection, String filter, long maxEach, Duration quiet) {
    BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    connection.subscribe(
        filter,
        (t, payload, retained) -> {
          if (retained) {
            queue.offer(new Message(t, payload));
          }
        });
    Map<String, byte[]> found = new LinkedHashMap<>();
    try {
      while (true) {
        Message message = queue.poll(quiet.toNanos(), TimeUnit.NANOSECONDS);
        if (message == null) {
          return found;
        }
        if (message.payload().length > 0 && message.payload().length <= maxEach) {
          found.put(message.topic(), message.payload());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while reading " + filter, e);
    } finally {
      connection.unsubscribe(filter);
    }
  }
}
