package dev.graft.bundle.tufclient;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.director.Agreement;
import dev.graft.bundle.director.DirectorAgreement;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.format.BundleWriter;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Timestamp;
import dev.graft.bundle.tuf.TufClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The trust-core demo behind {@code scripts/run --tuf-http}: a release signed with composite keys
 * is published to an image repository and a per-gateway director, served over HTTP on loopback, and
 * a gateway's verifying client accepts it only because both repositories agree; then three attacks
 * are refused with the gateway's trusted state unchanged. The full product demo (MQTT, field site,
 * hot swap) is {@code dev.graft.demo.Demo} in the {@code demo} module.
 */
public final class Demo {
  private static final String GATEWAY = "gw-demo-1";
  private static final String HARDWARE = "gw-x86-64";
  private static final String BUNDLE = "boiler-control-1.4.0.graft";

  private final Path work;
  private final PrintStream out;

  private Demo(Path work, PrintStream out) {
    this.work = work;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "graft-demo").toAbsolutePath();
    try {
      run(work, System.out);
    } catch (TrustException | IOException | IllegalStateException e) {
      System.err.println("graft demo: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Runs the whole demo in {@code work} (emptied first), narrating to {@code out}. */
  static void run(Path work, PrintStream out) throws IOException {
    new Demo(work, out).run();
  }

  private void run() throws IOException {
    deleteTree(work);
    Files.createDirectories(work);
    out.println("Graft demo — the trust core end to end (work directory " + work + ")");

    step(1, "keys: composite ML-DSA-65 + Ed25519 software keys for both repositories");
    Map<RoleType, Signer> imageKeys = generateKeys();
    Map<RoleType, Signer> directorKeys = generateKeys();
    writeOfflineKeys(imageKeys, directorKeys);

    step(2, "bundle: build " + BUNDLE + " from a WebAssembly module and its manifest");
    byte[] module = graftTickModule();
    byte[] bundle = BundleWriter.write(manifest(module), module);
    Files.write(work.resolve(BUNDLE), bundle);
    detail(
        bundle.length
            + " bytes, STORED zip of manifest.json + module.wasm ("
            + module.length
            + " bytes)");

    step(3, "sign: image repository (release) and director (what " + GATEWAY + " should run)");
    Instant expires = Instant.now().plus(Duration.ofDays(30));
    SampleRepository image =
        new SampleRepository(work.resolve("server/image"), imageKeys, JsonObject.empty(), expires);
    byte[] imageRoot = image.writeRoot();
    image.addTarget(BUNDLE, bundle, Optional.of(releaseCustom(14)));
    byte[] imageTimestampV1 = image.publish();
    SampleRepository director =
        new SampleRepository(
            work.resolve("server/director"),
            directorKeys,
            JsonObject.builder().put("gateway", GATEWAY).build(),
            expires);
    byte[] directorRoot = director.writeRoot();
    director.addTarget(BUNDLE, bundle, Optional.of(rolloutCustom()));
    director.publish();
    detail(
        "root, targets, snapshot and timestamp of each signed; each signature " + 3373 + " bytes");

    HttpServer server = serve(work.resolve("server"));
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      step(
          4,
          "serve: both repositories on " + base + "/{image,director}/ (untrusted, like a broker)");

      step(5, "gateway " + GATEWAY + ": install trust anchors, refresh both repositories, decide");
      Gateway gateway = new Gateway(work.resolve("gateway"), base, imageRoot, directorRoot);
      byte[] verified = gateway.update();
      Bundle opened = BundleReader.withDefaults().read(verified);
      detail(
          "installed candidate: module "
              + opened.name()
              + " "
              + opened.version()
              + ", module.wasm sha256 "
              + opened.moduleSha256());

      step(6, "attacks: each must be refused, leaving the gateway's trusted metadata unchanged");
      // A new release moves the image repository to version 2, so version 1 can be replayed.
      byte[] imageTimestampV2 = image.publish();
      gateway.refreshOnly();
      Path servedBundle =
          image
              .directory()
              .resolve("targets/" + SampleRepository.digest("SHA-256", bundle) + "." + BUNDLE);
      byte[] tampered = bundle.clone();
      tampered[tampered.length / 2] ^= 0x01;
      attack(
          gateway,
          "a tampered bundle on the server",
          () -> Files.write(servedBundle, tampered),
          () -> Files.write(servedBundle, bundle));
      attack(
          gateway,
          "image timestamp version 1 replayed after version 2",
          () -> image.write("timestamp.json", imageTimestampV1),
          () -> image.write("timestamp.json", imageTimestampV2));
      Path directorTimestamp = director.directory().resolve("timestamp.json");
      byte[] directorTimestampBytes = Files.readAllBytes(directorTimestamp);
      attack(
          gateway,
          "director metadata addressed to another gateway (gw-demo-2)",
          () -> Files.write(directorTimestamp, otherGatewayTimestamp(directorKeys, bundle)),
          () -> Files.write(directorTimestamp, directorTimestampBytes));
      detail("after the attacks the gateway still updates normally:");
      gateway.update();
    } finally {
      server.stop(0);
    }
    step(7, "done: every decision above was made by the same rules a gateway runs");
  }

  /** One gateway's view: two trusted stores, two clients, the agreement rule. */
  private final class Gateway {
    private final Path stores;
    private final String base;

    Gateway(Path stores, String base, byte[] imageRoot, byte[] directorRoot) throws IOException {
      this.stores = stores;
      this.base = base;
      Files.createDirectories(stores.resolve("image"));
      Files.createDirectories(stores.resolve("director"));
      TufClient.initialize(new FileTrustedStore(stores.resolve("image")), imageRoot, true);
      TufClient.initialize(new FileTrustedStore(stores.resolve("director")), directorRoot, true);
    }

    private TufClient client(String name, boolean director) {
      HttpRepository repository =
          HttpRepository.builder()
              .metadataBaseUrl(base + "/" + name + "/")
              .targetBaseUrl(base + "/" + name + "/targets/")
              .build();
      TufClient.Builder builder =
          TufClient.builder()
              .repository(repository)
              .store(new FileTrustedStore(stores.resolve(name)));
      return (director ? builder.gatewayId(GATEWAY) : builder).build();
    }

    void refreshOnly() {
      client("image", false).refresh();
      client("director", true).refresh();
    }

    byte[] update() {
      long start = System.nanoTime();
      TufClient imageClient = client("image", false);
      imageClient.refresh();
      TufClient directorClient = client("director", true);
      directorClient.refresh();
      Timestamp imageTimestamp = imageClient.timestamp().orElseThrow();
      detail(
          String.format(
              "both refreshed in %.0f ms: image timestamp v%d, director targets v%d",
              (System.nanoTime() - start) / 1e6,
              imageTimestamp.version(),
              directorClient.topLevelTargets().version()));
      Agreement.Agreed agreed =
          DirectorAgreement.require(
              directorClient.topLevelTargets(), imageClient::findTarget, HARDWARE, 0);
      detail(
          "director and image repository agree on "
              + agreed.target().path()
              + " (release counter "
              + agreed.release().releaseCounter()
              + ", hardware "
              + HARDWARE
              + ")");
      TargetFile target = agreed.target();
      byte[] bytes = imageClient.downloadTarget(target);
      detail(
          "downloaded "
              + bytes.length
              + " bytes; length, SHA-256 and SHA-512 match the signed target");
      return bytes;
    }

    Map<String, String> fingerprint() throws IOException {
      Map<String, String> files = new TreeMap<>();
      try (Stream<Path> walk = Files.walk(stores)) {
        for (Path file : walk.filter(Files::isRegularFile).toList()) {
          files.put(
              stores.relativize(file).toString(),
              SampleRepository.digest("SHA-256", Files.readAllBytes(file)));
        }
      }
      return files;
    }
  }

  private interface FileChange {
    void apply() throws IOException;
  }

  private void attack(Gateway gateway, String what, FileChange tamper, FileChange restore)
      throws IOException {
    Map<String, String> before = gateway.fingerprint();
    tamper.apply();
    TrustException refusal = null;
    try {
      gateway.update();
    } catch (TrustException e) {
      refusal = e;
    }
    restore.apply();
    if (refusal == null) {
      throw new IllegalStateException("the gateway accepted " + what + "; the demo failed");
    }
    boolean unchanged = before.equals(gateway.fingerprint());
    detail("refused " + what + ":");
    detail("  " + refusal.getClass().getSimpleName() + ": " + refusal.getMessage());
    detail("  trusted metadata unchanged: " + (unchanged ? "yes" : "NO"));
    if (!unchanged) {
      throw new IllegalStateException(
          "a refused update changed the trusted metadata; the demo failed");
    }
  }

  /** A correctly signed director timestamp, but for another gateway. */
  private byte[] otherGatewayTimestamp(Map<RoleType, Signer> keys, byte[] bundle)
      throws IOException {
    SampleRepository other =
        new SampleRepository(
            work.resolve("server-other/director"),
            keys,
            JsonObject.builder().put("gateway", "gw-demo-2").build(),
            Instant.now().plus(Duration.ofDays(30)));
    other.addTarget(BUNDLE, bundle, Optional.of(rolloutCustom()));
    other.publish();
    return other.publish();
  }

  private Map<RoleType, Signer> generateKeys() {
    Map<RoleType, Signer> keys = new EnumMap<>(RoleType.class);
    for (RoleType role : RoleType.values()) {
      keys.put(role, SoftwareKey.generate(KeyType.MLDSA65_ED25519));
    }
    return keys;
  }

  private void writeOfflineKeys(Map<RoleType, Signer> image, Map<RoleType, Signer> director)
      throws IOException {
    Path keys = work.resolve("keys");
    Files.createDirectories(keys);
    byte[] secret = new byte[18];
    new SecureRandom().nextBytes(secret);
    char[] passphrase =
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret).toCharArray();
    Path passphraseFile = keys.resolve("passphrase.txt");
    Files.writeString(passphraseFile, new String(passphrase) + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(passphraseFile, PosixFilePermissions.fromString("rw-------"));
    Map<String, Signer> offline = new TreeMap<>();
    offline.put("image-root", image.get(RoleType.ROOT));
    offline.put("image-targets", image.get(RoleType.TARGETS));
    offline.put("director-root", director.get(RoleType.ROOT));
    for (Map.Entry<String, Signer> entry : offline.entrySet()) {
      SoftwareKey key = (SoftwareKey) entry.getValue();
      Path pem = keys.resolve(entry.getKey() + ".pem");
      Files.write(pem, PrivateKeyFile.encrypt(key, passphrase));
      Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-------"));
      Files.write(
          keys.resolve(entry.getKey() + ".pub.json"), PublicKeyFile.encode(key.publicKey()));
    }
    Arrays.fill(passphrase, '\0');
    detail(
        "offline keys (image root, image targets, director root) written encrypted to "
            + keys
            + " (passphrase in passphrase.txt, demo only)");
  }

  private static JsonObject releaseCustom(long counter) {
    return JsonObject.builder()
        .put(
            "graft",
            JsonObject.builder()
                .put("module", "boiler-control")
                .put("version", "1.4.0")
                .put("release_counter", counter)
                .put(
                    "hardware",
                    new JsonArray(List.of(new JsonString(HARDWARE), new JsonString("gw-arm64"))))
                .build())
        .build();
  }

  private static JsonObject rolloutCustom() {
    return JsonObject.builder()
        .put("graft", JsonObject.builder().put("rollout", "demo-rollout").put("wave", 1).build())
        .build();
  }

  /** A minimal module of ABI graft/1: exports memory and graft_tick(i64) -> i32 returning 0. */
  static byte[] graftTickModule() {
    return HexFormat.of()
        .parseHex(
            "0061736d01000000" // magic, version 1
                + "01060160017e017f" // type section: (i64) -> i32
                + "03020100" // function section: one function of type 0
                + "0503010001" // memory section: one memory, min 1 page
                + "071702066d656d6f727902000a67726166745f7469636b0000" // exports
                + "0a0601040041000b"); // code: i32.const 0, end
  }

  private static byte[] manifest(byte[] module) {
    String json =
        """
        {
          "abi": "graft/1",
          "name": "boiler-control", "version": "1.4.0", "state_version": 2, "accepts_state": [1, 2],
          "module": {"sha256": "%s"},
          "tick_ms": 100,
          "limits": {"memory_pages": 4, "tick_budget_us": 2000},
          "points": [
            {"name": "temp", "dir": "in", "device": "boiler-plc",
             "modbus": {"table": "input_register", "address": 0, "type": "int16", "scale": 0.1}},
            {"name": "burner", "dir": "out", "device": "boiler-plc",
             "modbus": {"table": "coil", "address": 3}}
          ],
          "self_test": true,
          "shadow_ticks": 50
        }
        """
            .formatted(SampleRepository.digest("SHA-256", module));
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** Serves a directory read-only on loopback; refuses paths that leave it. */
  private static HttpServer serve(Path root) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Path base = root.toAbsolutePath().normalize();
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            Path file = base.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(base) || !Files.isRegularFile(file)) {
              respond(exchange, 404, new byte[0]);
            } else {
              respond(exchange, 200, Files.readAllBytes(file));
            }
          }
        });
    server.start();
    return server;
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    }
  }

  private void step(int n, String text) {
    out.println();
    out.println("[" + n + "/7] " + text);
  }

  private void detail(String text) {
    out.println("      " + text);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
