package dev.graft.signer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.format.BundleWriter;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.Repository;
import dev.graft.bundle.tuf.TufClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** Bundles, key files and a TUF client over a repository directory, for the CLI tests. */
final class Fixtures {
  private Fixtures() {}

  /** A real bundle: a WAT module compiled with wat2wasm, its manifest naming its hash. */
  static Path bundle(Path dir, String name, String version) throws Exception {
    Path wat = dir.resolve(name + "-" + version + ".wat");
    Path wasm = dir.resolve(name + "-" + version + ".wasm");
    Files.writeString(
        wat,
        "(module (memory (export \"memory\") 1)"
            + " (func (export \"tick\") (result i32) i32.const "
            + Math.abs(version.hashCode() % 1000)
            + "))");
    Process process =
        new ProcessBuilder("wat2wasm", wat.toString(), "-o", wasm.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue())
        .as(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    byte[] module = Files.readAllBytes(wasm);
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(module));
    String manifest =
        "{\"abi\": \"graft/1\", \"name\": \""
            + name
            + "\", \"version\": \""
            + version
            + "\", \"module\": {\"sha256\": \""
            + sha256
            + "\"}, \"tick_ms\": 100, \"limits\": {\"memory_pages\": 1, \"tick_budget_us\": 1000},"
            + " \"points\": []}";
    Path bundle = dir.resolve(name + "-" + version + ".graft");
    Files.write(bundle, BundleWriter.write(manifest.getBytes(StandardCharsets.UTF_8), module));
    return bundle;
  }

  /** A key holder's key pair: NAME.pem (encrypted with passphrase) and NAME.pub.json. */
  static SoftwareKey keyFiles(Path dir, String name, KeyType type, String passphrase)
      throws IOException {
    SoftwareKey key = SoftwareKey.generate(type);
    Files.createDirectories(dir);
    Files.write(
        dir.resolve(name + ".pem"), PrivateKeyFile.encrypt(key, passphrase.toCharArray(), 10_000));
    Files.write(dir.resolve(name + ".pub.json"), PublicKeyFile.encode(key.publicKey()));
    return key;
  }

  /** The trust core's client over the repository directory, trusting metadata/1.root.json. */
  static TufClient client(Path repo, boolean requireHybrid, Clock clock) throws IOException {
    InMemoryTrustedStore store = new InMemoryTrustedStore();
    TufClient.initialize(
        store, Files.readAllBytes(repo.resolve("metadata/1.root.json")), requireHybrid);
    TufClient client =
        TufClient.builder()
            .repository(new DirectoryRepository(repo))
            .store(store)
            .clock(clock)
            .requireHybrid(requireHybrid)
            .build();
    client.refresh();
    return client;
  }

  /** The repository directory as a static web server would serve it. */
  record DirectoryRepository(Path repo) implements Repository {
    @Override
    public Optional<byte[]> fetchMetadata(String roleName, OptionalLong version, long maxLength) {
      String name = (version.isPresent() ? version.getAsLong() + "." : "") + roleName + ".json";
      try {
        return Optional.of(Files.readAllBytes(repo.resolve("metadata").resolve(name)));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public byte[] fetchTarget(String path, long maxLength) {
      try {
        return Files.readAllBytes(repo.resolve("targets").resolve(path));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
