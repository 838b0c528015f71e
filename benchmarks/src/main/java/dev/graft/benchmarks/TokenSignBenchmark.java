package dev.graft.benchmarks;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.pkcs11.Pkcs11Module;
import dev.graft.pkcs11.TokenCompositeKey;
import dev.graft.pkcs11.TokenCompositeSigner;
import dev.graft.pkcs11.TokenObject;
import dev.graft.pkcs11.TokenSession;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P10: signing a targets file with a composite ML-DSA-65 + Ed25519 key held on SoftHSM2 in the
 * wrapped mode (Ed25519 on the token, ML-DSA-65 seed decrypted by the token for each signature),
 * target at most 200 ms; the same with a software key as the baseline. One operation is what {@code
 * graft sign} does with a targets model: canonical encoding, the composite signature, and writing
 * the signed file.
 *
 * <p>The SoftHSM2 token comes from {@code benchmarks/run}, which creates one in a temporary
 * directory and passes it to the forked JVM through the environment: {@code SOFTHSM2_CONF} (read by
 * SoftHSM2 itself), {@code GRAFT_P10_TOKEN} (the label) and {@code GRAFT_P10_PIN}. The environment
 * rather than {@code -D} options, because a PIN on a command line is visible to every local user.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TokenSignBenchmark {
  private static final Path SOFTHSM2 = Path.of("/usr/lib/softhsm/libsofthsm2.so");

  /** Where the private key lives: {@code softhsm2} (P10) or {@code software} (baseline). */
  @Param({"softhsm2", "software"})
  public String key = "softhsm2";

  @Param({"20"})
  public int targetCount;

  private Targets targets = sampleTargets(0);
  private @Nullable Signer signer;
  private @Nullable Pkcs11Module module;
  private @Nullable TokenSession session;
  private @Nullable TokenCompositeKey tokenKey;

  @Setup
  public void createKey() {
    targets = sampleTargets(targetCount);
    if (key.equals("software")) {
      signer = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
      return;
    }
    String token = requireEnvironment("GRAFT_P10_TOKEN");
    char[] pin = requireEnvironment("GRAFT_P10_PIN").toCharArray();
    Pkcs11Module opened = Pkcs11Module.open(SOFTHSM2);
    module = opened;
    TokenSession open = opened.tokenLabelled(token).openSession(1);
    session = open;
    open.login(pin);
    TokenCompositeKey made = TokenCompositeKey.generate(open, "p10-" + System.nanoTime());
    tokenKey = made;
    TokenCompositeSigner composite = TokenCompositeSigner.of(open, made);
    System.out.println("P10 key: " + composite.description());
    signer = composite;
  }

  @TearDown
  public void deleteKey() {
    TokenSession open = session;
    TokenCompositeKey made = tokenKey;
    if (open != null && made != null) {
      for (TokenObject object : made.objects()) {
        open.destroy(object);
      }
    }
    Pkcs11Module opened = module;
    if (opened != null) {
      opened.close();
    }
  }

  @Benchmark
  public byte[] signTargets() {
    Signer current = signer;
    if (current == null) {
      throw new IllegalStateException("no key: setup did not run");
    }
    return SignedMetadata.sign(targets, List.of(current)).toBytes();
  }

  private static String requireEnvironment(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(
          "P10 on SoftHSM2 needs a token, and "
              + name
              + " is not set: run it through benchmarks/run, which creates a SoftHSM2 token"
              + " (or pass -p key=software for the baseline alone)");
    }
    return value;
  }

  /** A targets role listing {@code count} released bundles, as P6 uses. */
  private static Targets sampleTargets(int count) {
    Map<String, TargetFile> listed = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
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
      listed.put(
          path,
          TargetFile.of(
              path,
              183_224 + i,
              Map.of("sha256", "ab".repeat(32), "sha512", "cd".repeat(64)),
              Optional.of(custom)));
    }
    return new Targets(
        Signed.SPEC_VERSION,
        7,
        Instant.parse("2030-01-01T00:00:00Z"),
        listed,
        Optional.empty(),
        JsonObject.empty());
  }
}
