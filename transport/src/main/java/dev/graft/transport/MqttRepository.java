package dev.graft.transport;

import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.tuf.Repository;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A TUF repository over the retained topics of {@code protocol.md}; the sibling of {@code
 * HttpRepository}. Metadata is read by subscribing to its topic with a deadline; an MQTT broker has
 * no "404", so a topic silent for {@link FetchOptions#absentAfter} counts as missing. The root walk
 * reads the unsigned {@code root/latest} hint first and answers "missing" at once for any version
 * above it, so a refresh does not wait out that deadline; the hint is never trusted beyond ending
 * the walk (a lying hint can only hide roots, which the next refresh finds, or make the client
 * wait).
 *
 * <p>Size caps: the connection's maximum packet size (sent to the broker in CONNECT) bounds what
 * any one message can make the client buffer, and each fetch refuses a payload above the caller's
 * {@code maxLength} before it is parsed.
 *
 * <p>Targets: {@link #fetchTarget} takes a consistent-snapshot path ({@code HASH.name}) and
 * downloads the chunks; {@link Repository} cannot carry the signed {@code list_sha256}, so here the
 * chunk list is unauthenticated and the client's check of the whole file against the signed hashes
 * is what makes it trusted. A gateway downloads with {@link ChunkFetcher} instead, which anchors
 * the list in the signed target and verifies every chunk on arrival.
 */
public final class MqttRepository implements Repository {
  private static final System.Logger LOG = System.getLogger(MqttRepository.class.getName());
  private static final int MAX_HINT_BYTES = 32;

  private final MqttConnection connection;
  private final FetchOptions options;
  private final @Nullable String gatewayId;
  private final AtomicBoolean badHintLogged = new AtomicBoolean();

  private MqttRepository(
      MqttConnection connection, FetchOptions options, @Nullable String gatewayId) {
    this.connection = connection;
    this.options = options;
    this.gatewayId = gatewayId;
  }

  /** The image repository ({@code graft/v1/repo/…}). */
  public static MqttRepository imageRepository(MqttConnection connection, FetchOptions options) {
    return new MqttRepository(connection, options, null);
  }

  /**
   * One gateway's view of the director ({@code graft/v1/director/root/…} and {@code
   * graft/v1/director/<gateway>/…}). Director targets are not served here: a gateway downloads the
   * bundle the director names from the image repository.
   */
  public static MqttRepository director(
      MqttConnection connection, String gatewayId, FetchOptions options) {
    return new MqttRepository(connection, options, Topics.name(gatewayId, "gateway id"));
  }

  @Override
  public Optional<byte[]> fetchMetadata(String roleName, OptionalLong version, long maxLength) {
    String topic;
    try {
      topic = topic(roleName, version);
    } catch (IllegalArgumentException e) {
      throw new RepositoryException(
          "cannot name metadata " + roleName + " on MQTT: " + e.getMessage(), e);
    }
    if (roleName.equals("root") && version.isPresent()) {
      OptionalLong latest = latestRoot();
      if (latest.isPresent() && version.getAsLong() > latest.getAsLong()) {
        return Optional.empty();
      }
    }
    return RetainedReader.fetch(connection, topic, maxLength, options.absentAfter());
  }

  @Override
  public byte[] fetchTarget(String path, long maxLength) {
    if (gatewayId != null) {
      throw new RepositoryException(
          "the director serves no target files over MQTT; download '"
              + path
              + "' from the image repository");
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.indexOf('.');
    String sha256 = dot < 0 ? name : name.substring(0, dot);
    try {
      Topics.sha256(sha256);
    } catch (IllegalArgumentException e) {
      throw new RepositoryException(
          "target path '"
              + path
              + "' has no SHA-256 prefix; MQTT repositories need consistent snapshots",
          e);
    }
    return new ChunkFetcher(connection, options)
        .downloadToMemory(sha256, Optional.empty(), maxLength);
  }

  private String topic(String roleName, OptionalLong version) {
    String gateway = gatewayId;
    return gateway == null
        ? Topics.repoMetadata(roleName, version)
        : Topics.directorMetadata(gateway, roleName, version);
  }

  /**
   * The unsigned hint, or empty when it is absent, malformed or oversized: such a hint is ignored
   * (logged once) and the walk goes on asking for each next root, as without a hint. A hint must
   * never be able to stop a refresh from the stored root.
   */
  private OptionalLong latestRoot() {
    String topic = gatewayId == null ? Topics.repoRootLatest() : Topics.directorRootLatest();
    Optional<byte[]> payload;
    try {
      payload = RetainedReader.fetch(connection, topic, MAX_HINT_BYTES, options.absentAfter());
    } catch (EndlessDataException e) {
      ignoreHint(topic, "longer than " + MAX_HINT_BYTES + " bytes");
      return OptionalLong.empty();
    }
    if (payload.isEmpty()) {
      return OptionalLong.empty();
    }
    OptionalLong latest = Publisher.parseLatestHint(payload.get());
    if (latest.isEmpty()) {
      ignoreHint(topic, "not a root version number");
    }
    return latest;
  }

  private void ignoreHint(String topic, String why) {
    if (badHintLogged.compareAndSet(false, true)) {
      LOG.log(
          Level.WARNING,
          "ignoring the unsigned hint on {0}: {1}; walking the root chain without it",
          topic,
          why);
    }
  }
}
