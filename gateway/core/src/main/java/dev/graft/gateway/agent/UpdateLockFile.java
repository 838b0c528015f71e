package dev.graft.gateway.agent;

import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.tufclient.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The local update lock, kept in one small file so it survives a restart: present means every swap
 * is held. Written by temp file, fsync and rename.
 */
final class UpdateLockFile {
  private static final int MAX_BYTES = 4096;

  private final Path file;

  UpdateLockFile(Path file) {
    this.file = file;
  }

  Optional<UpdateLock> read() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new AgentStartException(file + " is too large to be an update lock; remove it");
      }
      JsonObject json = JsonParser.withDefaults().parseObject(Files.readAllBytes(file));
      return Optional.of(
          new UpdateLock(
              json.string("by"), json.string("reason"), Instant.parse(json.string("since"))));
    } catch (IOException e) {
      throw new AgentStartException("cannot read the update lock " + file + ": " + e, e);
    } catch (RuntimeException e) {
      // a lock file that cannot be read still means "locked": fail safe, and say how to fix it
      throw new AgentStartException(
          "the update lock "
              + file
              + " is damaged ("
              + e.getMessage()
              + "); remove it to release the lock, or write it again",
          e);
    }
  }

  void write(Optional<UpdateLock> lock) {
    try {
      if (lock.isEmpty()) {
        Files.deleteIfExists(file);
        AtomicFile.syncDirectory(file.getParent());
        return;
      }
      UpdateLock held = lock.get();
      byte[] bytes =
          CanonicalJson.encode(
              JsonObject.builder()
                  .put("by", held.by())
                  .put("reason", held.reason())
                  .put("since", held.since().toString())
                  .build());
      AtomicFile.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the update lock " + file, e);
    }
  }
}
