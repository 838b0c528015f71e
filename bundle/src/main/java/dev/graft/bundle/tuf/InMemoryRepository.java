package dev.graft.bundle.tuf;

import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.RepositoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A repository held in memory, keyed by file name as a TUF repository lays it out ({@code
 * 2.root.json}, {@code timestamp.json}, {@code 7.targets.json}; targets under {@code targets/}).
 * Records every request in order, so tests can check the client's download order.
 */
public final class InMemoryRepository implements Repository {
  private final Map<String, byte[]> metadata = new ConcurrentHashMap<>();
  private final Map<String, byte[]> targets = new ConcurrentHashMap<>();
  private final List<String> requests = new ArrayList<>();

  public void putMetadata(String fileName, byte[] bytes) {
    metadata.put(fileName, bytes.clone());
  }

  public void removeMetadata(String fileName) {
    metadata.remove(fileName);
  }

  public void putTarget(String path, byte[] bytes) {
    targets.put(path, bytes.clone());
  }

  /** A metadata file by its file name, without recording a request (for servers that serve it). */
  public Optional<byte[]> metadataFile(String fileName) {
    return Optional.ofNullable(metadata.get(fileName)).map(byte[]::clone);
  }

  /** A target file by its repository path, without recording a request (for servers). */
  public Optional<byte[]> targetFile(String path) {
    return Optional.ofNullable(targets.get(path)).map(byte[]::clone);
  }

  /** Requests so far, e.g. {@code ["2.root.json", "timestamp.json", "targets/a.graft"]}. */
  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  public synchronized void clearRequests() {
    requests.clear();
  }

  @Override
  public Optional<byte[]> fetchMetadata(String roleName, OptionalLong version, long maxLength) {
    String name = (version.isPresent() ? version.getAsLong() + "." : "") + roleName + ".json";
    record(name);
    byte[] bytes = metadata.get(name);
    return bytes == null ? Optional.empty() : Optional.of(capped(bytes, maxLength, name));
  }

  @Override
  public byte[] fetchTarget(String path, long maxLength) {
    record("targets/" + path);
    byte[] bytes = targets.get(path);
    if (bytes == null) {
      throw new RepositoryException("the repository has no target '" + path + "'");
    }
    return capped(bytes, maxLength, path);
  }

  private synchronized void record(String name) {
    requests.add(name);
  }

  private static byte[] capped(byte[] bytes, long maxLength, String name) {
    return EndlessDataException.requireWithin(bytes, maxLength, name).clone();
  }
}
