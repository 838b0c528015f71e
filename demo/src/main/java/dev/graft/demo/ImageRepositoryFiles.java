package dev.graft.demo;

import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.PublishReport;
import dev.graft.transport.PublishSet;
import dev.graft.transport.Publisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The servable part of a {@code graft} image repository ({@code metadata/} and {@code targets/})
 * read as transport's {@link PublishSet}, and published with transport's {@link Publisher}. This is
 * what {@code graft publish} will do; until it exists the demo does it with the same library calls.
 */
final class ImageRepositoryFiles {
  private final PublishSet set;
  private final Targets targets;
  private final byte[] timestamp;

  private ImageRepositoryFiles(PublishSet set, Targets targets, byte[] timestamp) {
    this.set = set;
    this.targets = targets;
    this.timestamp = timestamp;
  }

  /**
   * Reads every published metadata file and target of the repository in {@code repository}.
   *
   * @param chunkSize the chunk size the targets were released with ({@code release add
   *     --chunk-size}), which their signed chunk lists describe
   */
  static ImageRepositoryFiles read(Path repository, int chunkSize) throws IOException {
    List<PublishSet.MetadataFile> metadata = new ArrayList<>();
    long newestTargets = 0;
    byte[] newestTargetsBytes = null;
    byte[] timestamp = null;
    try (Stream<Path> files = Files.list(repository.resolve("metadata"))) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        byte[] bytes = Files.readAllBytes(file);
        String[] parts = name.split("\\.");
        if (name.equals("timestamp.json")) {
          metadata.add(new PublishSet.MetadataFile("timestamp", OptionalLong.empty(), bytes));
          timestamp = bytes;
        } else if (parts.length == 3 && parts[2].equals("json") && parts[0].matches("[0-9]+")) {
          long version = Long.parseLong(parts[0]);
          metadata.add(new PublishSet.MetadataFile(parts[1], OptionalLong.of(version), bytes));
          if (parts[1].equals("targets") && version > newestTargets) {
            newestTargets = version;
            newestTargetsBytes = bytes;
          }
        } else {
          throw new IllegalStateException(
              "unexpected file " + file + " in the repository's metadata/ directory");
        }
      }
    }
    if (timestamp == null || newestTargetsBytes == null) {
      throw new IllegalStateException(
          repository + "/metadata has no timestamp.json or targets; run `graft repo init` first");
    }
    List<PublishSet.TargetBlob> blobs = new ArrayList<>();
    try (Stream<Path> files = Files.list(repository.resolve("targets"))) {
      for (Path file : files.sorted().toList()) {
        blobs.add(new PublishSet.TargetBlob(Files.readAllBytes(file), chunkSize));
      }
    }
    Targets targets =
        SignedMetadata.parseTargets(newestTargetsBytes, JsonParser.withDefaults()).signed();
    return new ImageRepositoryFiles(new PublishSet(metadata, blobs), targets, timestamp);
  }

  /** Publishes everything, retained; chunks already acknowledged (journal) are skipped. */
  PublishReport publish(MqttConnection connection, Path journal) {
    return new Publisher(connection, Optional.of(journal)).publish(set, progress -> {});
  }

  /** The newest published targets' entry for {@code path}. */
  TargetFile target(String path) {
    TargetFile target = targets.targets().get(path);
    if (target == null) {
      throw new IllegalStateException("the published targets do not list " + path);
    }
    return target;
  }

  byte[] timestamp() {
    return timestamp.clone();
  }
}
