package dev.graft.transport;

import dev.graft.bundle.Digests;
import dev.graft.bundle.tufclient.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The local record of which chunk messages a broker has acknowledged: one line per PUBACK, {@code
 * <sha256 of payload> <topic>}, under a header naming the broker. A line is appended only after a
 * successful PUBACK, so everything the journal lists was accepted; a crash loses at most the
 * unflushed tail, which is simply sent again. A journal written for another broker is ignored.
 */
final class PublishJournal implements AutoCloseable {
  private static final String HEADER = "graft-publish-journal 1 ";

  private final @Nullable Path file;
  private final Set<String> acknowledged = new HashSet<>();
  private @Nullable FileChannel channel;

  private PublishJournal(@Nullable Path file) {
    this.file = file;
  }

  /** No journal: every message is sent. */
  static PublishJournal none() {
    return new PublishJournal(null);
  }

  static PublishJournal open(Path file, String broker) {
    PublishJournal journal = new PublishJournal(file);
    try {
      boolean reuse = false;
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (!lines.isEmpty() && lines.getFirst().equals(HEADER + broker)) {
          reuse = true;
          for (String line : lines.subList(1, lines.size())) {
            // A torn last line (crash mid-write) has no space or a short hash: ignore it.
            int space = line.indexOf(' ');
            if (space == 64) {
              journal.acknowledged.add(line);
            }
          }
        }
      }
      if (!reuse) {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, HEADER + broker + "\n", StandardCharsets.UTF_8);
      }
      journal.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open publish journal " + file, e);
    }
    return journal;
  }

  boolean isAcknowledged(String topic, byte[] payload) {
    return acknowledged.contains(key(topic, payload));
  }

  void recordAcknowledged(String topic, byte[] payload) {
    String line = key(topic, payload);
    if (!acknowledged.add(line)) {
      return;
    }
    FileChannel out = channel;
    if (out == null) {
      return;
    }
    try {
      ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write publish journal " + file, e);
    }
  }

  /** Drops the entries of topics a prune cleared, so a later publish sends them again. */
  void forget(Predicate<String> topicCleared) {
    Path path = file;
    FileChannel out = channel;
    if (path == null || out == null) {
      return;
    }
    List<String> kept = new ArrayList<>();
    acknowledged.removeIf(line -> topicCleared.test(line.substring(65)));
    kept.addAll(acknowledged);
    try {
      out.close();
      List<String> header = Files.readAllLines(path, StandardCharsets.UTF_8).subList(0, 1);
      StringBuilder lines = new StringBuilder();
      for (String line : header) {
        lines.append(line).append(System.lineSeparator());
      }
      for (String line : kept) {
        lines.append(line).append(System.lineSeparator());
      }
      AtomicFile.write(
          path, lines.toString().getBytes(StandardCharsets.UTF_8), AtomicFile.READABLE_BY_ALL);
      channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite publish journal " + path, e);
    }
  }

  private static String key(String topic, byte[] payload) {
    return Digests.sha256Hex(payload) + " " + topic;
  }

  @Override
  public void close() {
    FileChannel out = channel;
    channel = null;
    if (out != null) {
      try {
        out.force(false);
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close publish journal " + file, e);
      }
    }
  }
}
