package dev.graft.transport;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.format.ChunkList;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Publishes a repository to the retained topics of {@code protocol.md}, QoS 1, checking every
 * PUBACK (0x00 and 0x10 are success; 0x80 and above stop the publish with the code named).
 *
 * <p>Order: every root version and the {@code root/latest} hint first, then each target's chunks
 * followed by its chunk list, then targets and delegated roles, then snapshot, and the timestamp
 * last. A reader that sees the new timestamp therefore finds everything it names, and a reader that
 * finds a chunk list finds all its chunks.
 *
 * <p>Resume: with a journal file, every acknowledged chunk and chunk list is recorded (payload hash
 * and topic), and a later run skips those — an interrupted publish of a large bundle continues
 * where it stopped. Metadata is small and always sent again, so the timestamp is always written
 * after everything it covers was confirmed. The journal trusts the broker to keep what it
 * acknowledged (persistence on); after a broker lost its retained store, delete the journal.
 */
public final class Publisher {
  /** Messages in flight before waiting for the oldest PUBACK; Mosquitto allows 20 by default. */
  public static final int DEFAULT_WINDOW = 16;

  private static final Duration DEFAULT_QUIET = Duration.ofMillis(750);

  private final MqttConnection connection;
  private final Optional<Path> journalFile;
  private final int window;

  @SuppressWarnings("ArrayRecordComponent") // private, never compared
  private record Item(String topic, byte[] payload, boolean chunk, boolean journaled) {}

  private record InFlight(Item item, PendingPublish publish) {}

  /**
   * @param journalFile where acknowledged chunks are recorded for resuming; empty to always send
   *     everything
   * @param window how many messages may await their PUBACK at once (1..100)
   */
  public Publisher(MqttConnection connection, Optional<Path> journalFile, int window) {
    if (window < 1 || window > 100) {
      throw new IllegalArgumentException("publish window " + window + " is outside 1..100");
    }
    this.connection = connection;
    this.journalFile = journalFile;
    this.window = window;
  }

  public Publisher(MqttConnection connection, Optional<Path> journalFile) {
    this(connection, journalFile, DEFAULT_WINDOW);
  }

  /**
   * Publishes everything in {@code set}; returns once every message is acknowledged.
   *
   * @throws BrokerRefusedException when a PUBACK carries a failure code
   * @throws TransportException when the broker does not acknowledge in time
   */
  public PublishReport publish(PublishSet set, PublishListener listener) {
    return send(plan(set), listener);
  }

  /**
   * Publishes one gateway's director metadata to {@code graft/v1/director/…}: every root version
   * ({@code director/root/{N}}, fleet-wide) and the {@code director/root/latest} hint, then targets
   * and delegated roles (such as {@code grants}), then snapshot ({@code
   * director/{gateway}/{role}/{version}}), and the timestamp last ({@code
   * director/{gateway}/timestamp}) — the order {@link #publish} keeps for the image repository.
   * Every message is retained, QoS 1, its PUBACK checked; nothing is journaled (metadata is always
   * sent again). Whether the files name this gateway is the signer's business; the gateway checks
   * it.
   *
   * @param metadata the director's files, named as for the image repository (role and version)
   * @throws IllegalArgumentException if the gateway id is not one topic level, or a file is given
   *     twice
   * @throws BrokerRefusedException when a PUBACK carries a failure code
   * @throws TransportException when the broker does not acknowledge in time
   */
  public PublishReport publishDirector(
      String gatewayId, List<PublishSet.MetadataFile> metadata, PublishListener listener) {
    Topics.name(gatewayId, "gateway id");
    List<Item> items = new ArrayList<>();
    Ordered ordered = Ordered.of(metadata);
    for (PublishSet.MetadataFile root : ordered.roots()) {
      items.add(
          new Item(
              Topics.directorRoot(root.version().orElseThrow()), root.payload(), false, false));
    }
    ordered
        .latestRoot()
        .ifPresent(latest ->
            items.add(new Item(Topics.directorRootLatest(), latestHint(latest), false, false)));
    for (PublishSet.MetadataFile file : ordered.afterTargets()) {
      items.add(
          new Item(
              Topics.directorMetadata(gatewayId, file.role(), file.version()),
              file.payload(),
              false,
              false));
    }
    checkUnique(items);
    return send(items, listener);
  }

  private PublishReport send(List<Item> items, PublishListener listener) {
    long start = System.nanoTime();
    try (PublishJournal journal = openJournal()) {
      List<Item> toSend = new ArrayList<>();
      int skipped = 0;
      for (Item item : items) {
        if (item.journaled() && journal.isAcknowledged(item.topic(), item.payload())) {
          skipped++;
        } else {
          toSend.add(item);
        }
      }
      Run run = new Run(toSend, skipped, journal, listener, start);
      for (Item item : toSend) {
        // Ordering barrier: a chunk list waits for its chunks, metadata for what it covers.
        boolean barrier = !item.chunk();
        if (barrier) {
          run.completeAll();
        }
        run.send(item);
        if (run.inFlight.size() >= window || barrier) {
          run.completeOldest();
        }
      }
      run.completeAll();
      return new PublishReport(
          toSend.size(), skipped, run.bytesDone, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** One publish run: the PUBACKs still awaited, and the counts the listener is told. */
  private final class Run {
    final Deque<InFlight> inFlight = new ArrayDeque<>();
    final PublishJournal journal;
    final PublishListener listener;
    final long start;
    final long bytesTotal;
    final int messagesTotal;
    final int chunksTotal;
    final int skipped;
    long bytesDone;
    int messagesDone;
    int chunksDone;

    Run(
        List<Item> toSend,
        int skipped,
        PublishJournal journal,
        PublishListener listener,
        long start) {
      this.journal = journal;
      this.listener = listener;
      this.start = start;
      this.skipped = skipped;
      this.bytesTotal = toSend.stream().mapToLong(i -> i.payload().length).sum();
      this.messagesTotal = toSend.size();
      this.chunksTotal = (int) toSend.stream().filter(Item::chunk).count();
    }

    void send(Item item) {
      inFlight.addLast(new InFlight(item, connection.publish(item.topic(), item.payload(), true)));
    }

    void completeAll() {
      while (!inFlight.isEmpty()) {
        completeOldest();
      }
    }

    /** Waits for the oldest PUBACK, journals it and tells the listener. */
    void completeOldest() {
      InFlight oldest = inFlight.removeFirst();
      oldest.publish().await();
      Item item = oldest.item();
      if (item.journaled()) {
        journal.recordAcknowledged(item.topic(), item.payload());
      }
      bytesDone += item.payload().length;
      messagesDone++;
      if (item.chunk()) {
        chunksDone++;
      }
      double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
      listener.onProgress(
          new PublishProgress(
              bytesDone,
              bytesTotal,
              messagesDone,
              messagesTotal,
              chunksDone,
              chunksTotal,
              skipped,
              bytesDone / seconds));
    }
  }

  /**
   * Clears the retained chunk lists and chunks of every target not in {@code keepSha256}: an empty
   * retained message clears a retained topic. Chunks are cleared before their list, so an
   * interrupted prune can simply be run again: the list still names what is left.
   */
  public PruneReport prune(Set<String> keepSha256) {
    return prune(keepSha256, DEFAULT_QUIET);
  }

  /** Like {@link #prune(Set)}, waiting {@code quiet} for retained chunk lists to arrive. */
  public PruneReport prune(Set<String> keepSha256, Duration quiet) {
    keepSha256.forEach(Topics::sha256);
    Map<String, byte[]> lists =
        RetainedReader.collect(connection, Topics.allChunkLists(), ChunkList.MAX_LIST_BYTES, quiet);
    List<String> removed = new ArrayList<>();
    Set<String> clearedTopics = new HashSet<>();
    for (Map.Entry<String, byte[]> entry : lists.entrySet()) {
      String topic = entry.getKey();
      String sha =
          topic.substring(
              Topics.PREFIX.length() + "repo/targets/".length(),
              topic.length() - "/chunks".length());
      if (keepSha256.contains(sha)) {
        continue;
      }
      int count;
      try {
        count = ChunkList.parse(entry.getValue()).chunkCount();
      } catch (TrustException e) {
        count = 0; // an unreadable list names no chunks; clear the list itself
      }
      List<PendingPublish> pending = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String chunkTopic = Topics.chunk(sha, i);
        pending.add(connection.publish(chunkTopic, new byte[0], true));
        clearedTopics.add(chunkTopic);
        if (pending.size() >= window) {
          pending.removeFirst().await();
        }
      }
      pending.forEach(PendingPublish::await);
      connection.publishAndWait(topic, new byte[0], true);
      clearedTopics.add(topic);
      removed.add(sha);
    }
    try (PublishJournal journal = openJournal()) {
      journal.forget(clearedTopics::contains);
    }
    return new PruneReport(removed, clearedTopics.size());
  }

  private PublishJournal openJournal() {
    return journalFile
        .map(f -> PublishJournal.open(f, connection.options().broker().toString()))
        .orElseGet(PublishJournal::none);
  }

  /**
   * Metadata in publishing order: roots by version (with the newest for the hint), then — after the
   * targets' chunks, for the image repository — targets and delegated roles, snapshot, and the
   * timestamp last.
   */
  private record Ordered(
      List<PublishSet.MetadataFile> roots, List<PublishSet.MetadataFile> afterTargets) {
    static Ordered of(List<PublishSet.MetadataFile> metadata) {
      List<PublishSet.MetadataFile> roots = new ArrayList<>();
      List<PublishSet.MetadataFile> roles = new ArrayList<>();
      List<PublishSet.MetadataFile> snapshots = new ArrayList<>();
      PublishSet.MetadataFile timestamp = null;
      for (PublishSet.MetadataFile file : metadata) {
        switch (file.role()) {
          case "root" -> roots.add(file);
          case "snapshot" -> snapshots.add(file);
          case "timestamp" -> {
            if (timestamp != null) {
              throw new IllegalArgumentException("the publish set has two timestamp files");
            }
            timestamp = file;
          }
          default -> roles.add(file);
        }
      }
      roots.sort(Comparator.comparingLong(f -> f.version().orElseThrow()));
      List<PublishSet.MetadataFile> after = new ArrayList<>(roles);
      after.addAll(snapshots);
      if (timestamp != null) {
        after.add(timestamp);
      }
      return new Ordered(roots, after);
    }

    OptionalLong latestRoot() {
      return roots.isEmpty() ? OptionalLong.empty() : roots.getLast().version();
    }
  }

  private static byte[] latestHint(long version) {
    return Long.toString(version).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static List<Item> plan(PublishSet set) {
    List<Item> items = new ArrayList<>();
    Ordered ordered = Ordered.of(set.metadata());
    for (PublishSet.MetadataFile root : ordered.roots()) {
      items.add(new Item(root.topic(), root.payload(), false, false));
    }
    ordered
        .latestRoot()
        .ifPresent(latest ->
            items.add(new Item(Topics.repoRootLatest(), latestHint(latest), false, false)));
    Set<String> seen = new HashSet<>();
    for (PublishSet.TargetBlob target : set.targets()) {
      String sha = target.sha256();
      if (!seen.add(sha)) {
        continue;
      }
      ChunkList list = target.chunkList();
      byte[] bytes = target.payload();
      for (int i = 0; i < list.chunkCount(); i++) {
        int offset = (int) list.offset(i);
        byte[] chunk = Arrays.copyOfRange(bytes, offset, offset + list.chunkLength(i));
        items.add(new Item(Topics.chunk(sha, i), chunk, true, true));
      }
      items.add(new Item(Topics.chunkList(sha), list.toBytes(), false, true));
    }
    for (PublishSet.MetadataFile file : ordered.afterTargets()) {
      items.add(new Item(file.topic(), file.payload(), false, false));
    }
    checkUnique(items);
    return items;
  }

  private static void checkUnique(List<Item> items) {
    Set<String> topics = new HashSet<>();
    for (Item item : items) {
      if (!topics.add(item.topic())) {
        throw new IllegalArgumentException(
            "the publish set has two files for " + item.topic() + "; give each version once");
      }
    }
  }

  static OptionalLong parseLatestHint(byte[] payload) {
    if (payload.length == 0 || payload.length > 19) {
      return OptionalLong.empty();
    }
    for (byte b : payload) {
      if (b < '0' || b > '9') {
        return OptionalLong.empty();
      }
    }
    try {
      return OptionalLong.of(
          Long.parseLong(new String(payload, java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // 19 digits above Long.MAX_VALUE: no usable hint
    }
  }
}
