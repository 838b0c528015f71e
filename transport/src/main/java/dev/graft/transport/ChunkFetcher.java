package dev.graft.transport;

import dev.graft.bundle.Digests;
import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.HashMismatchException;
import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.format.ChunkList;
import dev.graft.bundle.tufclient.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads a target by its chunks (protocol.md): the chunk list is checked against the signed
 * {@code list_sha256}, then chunk topics are subscribed a window at a time; every chunk is checked
 * with {@link ChunkList#verifyChunk} the moment it arrives and written at its offset, a bad one is
 * dropped and re-requested (re-subscribing re-delivers the retained message) a bounded number of
 * times, and never written.
 *
 * <p>Resume: chunks go to {@code <destination>.part}. A new attempt first re-hashes the chunks
 * already in that file against the list and asks the broker only for the missing ones, from the
 * first missing chunk on; after a reconnect the connection re-subscribes the current window. The
 * finished file is moved into place atomically, so {@code destination} only ever holds a complete,
 * verified file.
 */
public final class ChunkFetcher {
  private final MqttConnection connection;
  private final FetchOptions options;

  @SuppressWarnings("ArrayRecordComponent") // private, never compared
  private record Arrival(int index, byte[] payload) {}

  /** Where verified chunks go: a file or memory. */
  private interface Sink {
    boolean holds(ChunkList list, int index);

    void write(long offset, byte[] chunk);
  }

  public ChunkFetcher(MqttConnection connection, FetchOptions options) {
    this.connection = connection;
    this.options = options;
  }

  /**
   * Downloads a target into {@code destination}, verified chunk by chunk against the chunk list the
   * signed target anchors.
   *
   * @throws HashMismatchException when the chunk list does not match {@code list_sha256}, its
   *     length differs from the signed length, or a chunk stays bad after the retries
   * @throws TransportException when the broker has no chunk list or stops delivering chunks
   */
  public DownloadReport download(ChunkTarget target, Path destination, DownloadListener listener) {
    ChunkList list = fetchList(target.sha256(), Optional.of(target.listSha256()), target.length());
    if (list.length() != target.length()) {
      throw HashMismatchException.length(
          "target " + target.sha256() + " (by its chunk list)", target.length(), list.length());
    }
    Path part = destination.resolveSibling(destination.getFileName() + ".part");
    try (FileChannel file =
        FileChannel.open(
            part, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (file.size() > list.length()) {
        file.truncate(list.length());
      }
      DownloadReport report = fetchChunks(target.sha256(), list, new FileSink(file), listener);
      file.force(true);
      AtomicFile.moveInto(part, destination);
      return report;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + part, e);
    }
  }

  /**
   * Downloads into memory. Without an expected list hash the chunk list itself is unauthenticated:
   * chunks are still checked against it on arrival (transport damage is caught early), but only the
   * caller's check of the whole file against signed hashes makes the bytes trusted.
   */
  byte[] downloadToMemory(String sha256, Optional<String> listSha256, long maxLength) {
    ChunkList list = fetchList(sha256, listSha256, maxLength);
    if (list.length() > maxLength || list.length() > Integer.MAX_VALUE - 8) {
      throw EndlessDataException.of(
          "target " + sha256 + " (by its chunk list)", maxLength, list.length());
    }
    byte[] buffer = new byte[(int) list.length()];
    fetchChunks(
        sha256,
        list,
        new Sink() {
          @Override
          public boolean holds(ChunkList l, int index) {
            return false;
          }

          @Override
          public void write(long offset, byte[] chunk) {
            System.arraycopy(chunk, 0, buffer, (int) offset, chunk.length);
          }
        },
        DownloadListener.NONE);
    return buffer;
  }

  private ChunkList fetchList(String sha256, Optional<String> listSha256, long maxLength) {
    String topic = Topics.chunkList(sha256);
    byte[] bytes =
        RetainedReader.fetch(connection, topic, ChunkList.MAX_LIST_BYTES, options.absentAfter())
            .orElseThrow(() ->
                new TransportException(
                    "the broker has no chunk list for target "
                        + sha256
                        + " ("
                        + topic
                        + " is empty); was it published?"));
    if (listSha256.isPresent()) {
      byte[] actual = sha256(bytes);
      if (!MessageDigest.isEqual(actual, HexFormat.of().parseHex(listSha256.get()))) {
        throw HashMismatchException.digest(
            "chunk list of target " + sha256,
            "sha256",
            listSha256.get(),
            HexFormat.of().formatHex(actual));
      }
    }
    ChunkList list = ChunkList.parse(bytes);
    if (list.length() > maxLength) {
      throw EndlessDataException.of(
          "target " + sha256 + " (by its chunk list)", maxLength, list.length());
    }
    return list;
  }

  private DownloadReport fetchChunks(
      String sha256, ChunkList list, Sink sink, DownloadListener listener) {
    int count = list.chunkCount();
    boolean[] have = new boolean[count];
    int reused = 0;
    long bytesHave = 0;
    Deque<Integer> missing = new ArrayDeque<>();
    for (int i = 0; i < count; i++) {
      if (sink.holds(list, i)) {
        have[i] = true;
        reused++;
        bytesHave += list.chunkLength(i);
      } else {
        missing.addLast(i);
      }
    }
    BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
    AtomicLong received = new AtomicLong();
    SequencedSet<Integer> subscribed = new LinkedHashSet<>();
    int[] rejects = new int[count];
    int rejected = 0;
    int written = 0;
    try {
      while (subscribed.size() < options.window() && !missing.isEmpty()) {
        subscribeChunk(sha256, missing.removeFirst(), subscribed, arrivals, received);
      }
      while (!subscribed.isEmpty()) {
        Arrival arrival;
        try {
          arrival = arrivals.poll(options.progressTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TransportException("interrupted while downloading target " + sha256, e);
        }
        if (arrival == null) {
          throw new TransportException(
              "slow retrieval: no chunk of target "
                  + sha256
                  + " arrived for "
                  + options.progressTimeout().toMillis()
                  + " ms (waiting for chunks "
                  + subscribed
                  + ", connected: "
                  + connection.isConnected()
                  + "); the verified chunks are kept for the next attempt");
        }
        int index = arrival.index();
        if (index >= count || have[index] || !subscribed.contains(index)) {
          continue; // a duplicate (re-subscription after a reconnect) or a stray message
        }
        try {
          list.verifyChunk(index, arrival.payload());
        } catch (HashMismatchException e) {
          rejected++;
          rejects[index]++;
          if (rejects[index] > options.maxChunkRetries()) {
            throw HashMismatchException.afterRetries(
                "chunk " + index + " of target " + sha256, rejects[index], e);
          }
          // Re-request: a fresh subscription re-delivers the retained message, which may have
          // been replaced with a good one by then.
          connection.unsubscribe(Topics.chunk(sha256, index));
          subscribed.remove(index);
          subscribeChunk(sha256, index, subscribed, arrivals, received);
          continue;
        }
        sink.write(list.offset(index), arrival.payload());
        have[index] = true;
        written++;
        bytesHave += arrival.payload().length;
        connection.unsubscribe(Topics.chunk(sha256, index));
        subscribed.remove(index);
        if (!missing.isEmpty()) {
          subscribeChunk(sha256, missing.removeFirst(), subscribed, arrivals, received);
        }
        listener.onChunk(
            new DownloadProgress(
                reused + written, count, bytesHave, list.length(), received.get()));
      }
    } finally {
      for (int index : subscribed) {
        try {
          connection.unsubscribe(Topics.chunk(sha256, index));
        } catch (RepositoryException e) {
          // Best effort: the connection may be gone; the subscription dies with the session.
        }
      }
    }
    return new DownloadReport(received.get(), written, reused, rejected);
  }

  private void subscribeChunk(
      String sha256,
      int index,
      SequencedSet<Integer> subscribed,
      BlockingQueue<Arrival> arrivals,
      AtomicLong received) {
    subscribed.add(index);
    connection.subscribe(
        Topics.chunk(sha256, index),
        (topic, payload, retained) -> {
          received.addAndGet(payload.length);
          arrivals.offer(new Arrival(index, payload));
        });
  }

  private static byte[] sha256(byte[] bytes) {
    return Digests.sha256(bytes);
  }

  /** A partial file: a chunk counts as held when the bytes at its offset already verify. */
  private record FileSink(FileChannel file) implements Sink {
    @Override
    public boolean holds(ChunkList list, int index) {
      try {
        long offset = list.offset(index);
        int length = list.chunkLength(index);
        if (file.size() < offset + length) {
          return false;
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
          if (file.read(buffer, offset + buffer.position()) < 0) {
            return false;
          }
        }
        list.verifyChunk(index, buffer.array());
        return true;
      } catch (HashMismatchException e) {
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the partial download", e);
      }
    }

    @Override
    public void write(long offset, byte[] chunk) {
      try {
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        while (buffer.hasRemaining()) {
          file.write(buffer, offset + buffer.position());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the partial download", e);
      }
    }
  }
}
