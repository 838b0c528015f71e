package dev.graft.transport;

import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.tuf.Repository;
import java.util.Optional;
import java.util.OptionalLong;
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
  private final MqttConnection connection;
  private final FetchOptions options;
  private final @Nullable String gatewayId;

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

  private OptionalLong latestRoot() {
    String topic = gatewayId == null ? Topics.repoRootLatest() : Topics.directorRootLatest();
    return RetainedReader.fetch(connection, topic, 32, options.absentAfter())
        .map(Publisher::parseLatestHint)
        .orElse(OptionalLong.empty());
  }
}
