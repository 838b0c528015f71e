package dev.graft.benchmarks;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.tuf.Thresholds;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P6: verification of one targets metadata file signed with a composite ML-DSA-65 + Ed25519 key,
 * target at most 1 ms. Measures the whole acceptance path a gateway runs on the bytes: strict
 * parse, canonical re-encoding of the {@code signed} object, and the threshold check (both
 * signature halves). The file lists a realistic number of released bundles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class MetadataVerifyBenchmark {
  @Param({"20"})
  public int targetCount;

  private byte[] file = new byte[0];
  private Map<String, TufKey> keys = Map.of();
  private List<String> keyIds = List.of();

  @Setup
  public void sign() {
    SoftwareKey key = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
    Map<String, TargetFile> targets = new LinkedHashMap<>();
    for (int i = 0; i < targetCount; i++) {
      String path = "boiler-control-1." + i + ".0.graft";
      JsonObject custom =
          JsonObject.builder()
              .put(
                  "graft",
                  JsonObject.builder()
                      .put("module", "boiler-control")
                      .put("version", "1." + i + ".0")
                      .put("release_counter", i)
                      .build())
              .build();
      targets.put(
          path,
          TargetFile.of(
              path,
              183_224 + i,
              Map.of("sha256", "ab".repeat(32), "sha512", "cd".repeat(64)),
              Optional.of(custom)));
    }
    Targets signed =
        new Targets(
            Signed.SPEC_VERSION,
            7,
            Instant.parse("2030-01-01T00:00:00Z"),
            targets,
            Optional.empty(),
            JsonObject.empty());
    file = SignedMetadata.sign(signed, List.of(key)).toBytes();
    keys = Map.of(key.keyId(), key.publicKey());
    keyIds = List.of(key.keyId());
  }

  @Benchmark
  public Set<String> parseAndVerifyTargets() {
    SignedMetadata<Targets> parsed = SignedMetadata.parseTargets(file, JsonParser.withDefaults());
    return Thresholds.check(parsed, "targets", keys, keyIds, 1);
  }
}
