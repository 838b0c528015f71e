package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft inspect} on real bundles and on metadata written by the command itself. */
class InspectTest {
  @TempDir Path temp;

  private static JsonObject json(GraftRun.Result result) {
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return JsonParser.withDefaults()
        .allowingDecimals()
        .parseObject(result.out().getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void inspect_bundle_showsManifestModuleCapabilitiesAndChunks() throws Exception {
    Path bundle = Examples.bundle(temp, "boiler-control-1.0");

    GraftRun.Result result = graft().run("inspect", bundle.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains(bundle + ": Graft bundle (not verified — use graft verify)")
        .contains("boiler-control 1.0.0 (ABI graft/1)")
        .contains("sha256 " + sha256(bundle))
        .contains("sha256 " + sha256(Examples.wasm("boiler-control-1.0")))
        .contains("every 100 ms, budget 5000 µs; memory 2 pages")
        .contains("graft_tick", "memory")
        .contains("graft.point_get")
        .containsPattern("in +temp +boiler-plc +modbus input_register 0 int16")
        .containsPattern("in +setpoint +thermostat +coap GET /setpoint")
        .containsPattern("out +burner +boiler-plc +modbus coil 3 bool")
        .contains("chunks      1 of 65536 bytes (last " + Files.size(bundle) + ")")
        .doesNotContain("PROBLEMS");
  }

  @Test
  void inspect_bundleJson_parsesBackWithTheSameFacts() throws Exception {
    Path bundle = Examples.bundle(temp, "thermostat");

    JsonObject json = json(graft().run("inspect", bundle.toString(), "--json"));

    assertThat(json.string("kind")).isEqualTo("bundle");
    assertThat(json.bool("verified")).isFalse();
    assertThat(json.string("note")).isEqualTo("not verified — use graft verify");
    assertThat(json.integer("size")).isEqualTo(Files.size(bundle));
    assertThat(json.string("sha256")).isEqualTo(sha256(bundle));
    assertThat(json.object("manifest").string("name")).isEqualTo("thermostat");
    assertThat(json.object("manifest").object("limits").integer("memory_pages")).isEqualTo(2);
    assertThat(json.object("module").string("sha256"))
        .isEqualTo(sha256(Examples.wasm("thermostat")));
    assertThat(json.object("module").array("exports").values())
        .extracting(Object::toString)
        .anyMatch(e -> e.contains("graft_tick"));
    assertThat(json.array("points").size()).isEqualTo(3);
    JsonObject burner = (JsonObject) json.array("points").get(2);
    assertThat(burner.string("name")).isEqualTo("burner");
    assertThat(burner.object("modbus").string("table")).isEqualTo("coil");
    assertThat(burner.object("modbus").integer("address")).isEqualTo(3);
    assertThat(json.object("chunks").integer("count")).isEqualTo(1);
    assertThat(json.object("chunks").string("list_sha256")).hasSize(64);
    assertThat(json.array("problems").size()).isZero();
  }

  @Test
  void inspect_targetsMetadata_showsSignersAndTargetsWithCustomFields() throws Exception {
    Path bundle = Examples.bundle(temp, "thermostat");
    Path repo = DemoRepository.withRelease(temp, bundle);
    Path targets = repo.resolve("metadata/2.targets.json");
    var root =
        SignedMetadata.parseRoot(
                Files.readAllBytes(repo.resolve("metadata/1.root.json")), JsonParser.withDefaults())
            .signed();
    String targetsKey = root.role(RoleType.TARGETS).keyIds().getFirst();

    GraftRun.Result human = graft().run("inspect", targets.toString());
    JsonObject json = json(graft().run("inspect", targets.toString(), "--json"));

    assertThat(human.exitCode()).as(human.toString()).isZero();
    assertThat(human.out())
        .contains(targets + ": TUF targets metadata (not verified — use graft verify)")
        .contains("version     2")
        .contains("signed by   1 key(s): " + targetsKey)
        .contains("thermostat-1.0.0.graft  " + Files.size(bundle) + " bytes")
        .contains("sha256 " + sha256(bundle))
        .contains("graft: module thermostat 1.0.0, release counter 1, hardware gw-x86-64");
    assertThat(json.string("role")).isEqualTo("targets");
    assertThat(json.integer("version")).isEqualTo(2);
    assertThat(json.bool("verified")).isFalse();
    assertThat(((JsonObject) json.array("signatures").get(0)).string("keyid"))
        .isEqualTo(targetsKey);
    JsonObject target = json.object("targets").object("thermostat-1.0.0.graft");
    assertThat(target.integer("length")).isEqualTo(Files.size(bundle));
    assertThat(target.object("hashes").string("sha256")).isEqualTo(sha256(bundle));
    assertThat(target.object("custom").object("graft").integer("release_counter")).isEqualTo(1);
  }

  @Test
  void inspect_rootMetadata_showsKeysThresholdsAndSigners() throws Exception {
    Path repo = DemoRepository.withRelease(temp, Examples.bundle(temp, "thermostat"));
    Path rootFile = repo.resolve("metadata/1.root.json");
    var root = SignedMetadata.parseRoot(Files.readAllBytes(rootFile), JsonParser.withDefaults());
    String rootKey = root.signed().role(RoleType.ROOT).keyIds().getFirst();

    GraftRun.Result human = graft().run("inspect", rootFile.toString());
    JsonObject json = json(graft().run("inspect", rootFile.toString(), "--json"));

    assertThat(human.out())
        .contains("TUF root metadata (not verified — use graft verify)")
        .contains("role root: threshold 1 of 1")
        .contains(rootKey + " mldsa65-ed25519")
        .contains("signed by   1 key(s): " + rootKey);
    assertThat(json.object("roles").object("targets").integer("threshold")).isEqualTo(1);
    assertThat(json.object("keys").object(rootKey).string("keytype")).isEqualTo("mldsa65-ed25519");
    assertThat(json.object("keys").object(rootKey).array("roles").values())
        .extracting(Object::toString)
        .anyMatch(r -> r.contains("root"));
    assertThat(((JsonObject) json.array("signatures").get(0)).bool("root_role_key")).isTrue();
  }

  @Test
  void inspect_timestamp_namesTheSnapshotItPointsTo() throws Exception {
    Path repo = DemoRepository.withRelease(temp, Examples.bundle(temp, "thermostat"));
    Path timestamp = repo.resolve("metadata/timestamp.json");

    JsonObject json = json(graft().run("inspect", timestamp.toString(), "--json"));
    GraftRun.Result human = graft().run("inspect", timestamp.toString());

    assertThat(json.string("role")).isEqualTo("timestamp");
    assertThat(json.object("meta").object("snapshot.json").integer("version")).isEqualTo(2);
    assertThat(human.out()).contains("names       snapshot.json version 2");
  }

  @Test
  void inspect_neitherBundleNorMetadata_refusedNamingTheFile() throws Exception {
    Path file = temp.resolve("notes.txt");
    Files.writeString(file, "hello");

    GraftRun.Result result = graft().run("inspect", file.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains(file + " is neither a Graft bundle");
  }

  @Test
  void inspect_corruptBundle_refusedWithTheReadersReason() throws Exception {
    Path bundle = Examples.bundle(temp, "thermostat");
    byte[] bytes = Files.readAllBytes(bundle);
    bytes[bytes.length / 2] ^= 0x01;
    Path corrupt = temp.resolve("corrupt.graft");
    Files.write(corrupt, bytes);

    GraftRun.Result result = graft().run("inspect", corrupt.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains(corrupt + " is not a valid Graft bundle");
  }

  @Test
  void inspect_expiredTimestamp_saysExpired() throws Exception {
    Path repo = DemoRepository.withRelease(temp, Examples.bundle(temp, "thermostat"));
    Path timestamp = repo.resolve("metadata/timestamp.json");
    java.time.Clock later =
        java.time.Clock.fixed(
            java.time.Instant.now().plus(java.time.Duration.ofDays(3)), java.time.ZoneOffset.UTC);

    GraftRun.Result human = graft().clock(later).run("inspect", timestamp.toString());
    JsonObject json = json(graft().clock(later).run("inspect", timestamp.toString(), "--json"));

    assertThat(human.exitCode()).as(human.toString()).isZero();
    assertThat(human.out()).containsPattern("expires +\\S+ \\(EXPIRED\\)");
    assertThat(json.bool("expired")).isTrue();
  }

  @Test
  void help_teachesByExample() {
    GraftRun.Result help = graft().run("inspect", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Examples:", "graft inspect repo/metadata/2.targets.json");
  }
}
