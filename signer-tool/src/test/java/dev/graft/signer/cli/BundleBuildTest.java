package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft bundle build} with the real example modules. */
class BundleBuildTest {
  @TempDir Path temp;

  private static GraftRun.Result build(Path wasm, Path manifest, Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "bundle",
                "build",
                "--wasm",
                wasm.toString(),
                "--manifest",
                manifest.toString(),
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    return graft().run(args.toArray(String[]::new));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @TestFactory
  Stream<DynamicTest> build_everyExample_writesABundleGatewaysRead() {
    return Examples.MODULES.stream()
        .map(name ->
            DynamicTest.dynamicTest(
                name,
                () -> {
                  Path out = temp.resolve(name + ".graft");
                  GraftRun.Result result = build(Examples.wasm(name), Examples.manifest(name), out);

                  assertThat(result.exitCode()).as(result.toString()).isZero();
                  byte[] bytes = Files.readAllBytes(out);
                  Bundle bundle = BundleReader.withDefaults().read(bytes);
                  assertThat(bundle.module()).isEqualTo(Files.readAllBytes(Examples.wasm(name)));
                  assertThat(bundle.manifestBytes())
                      .isEqualTo(Files.readAllBytes(Examples.manifest(name)));
                  assertThat(result.out())
                      .contains("Built " + out)
                      .contains(bundle.name() + " " + bundle.version())
                      .contains(bytes.length + " bytes")
                      .contains(sha256(bytes));
                }));
  }

  @Test
  void build_twice_byteIdenticalOutput() throws Exception {
    Path first = temp.resolve("a/thermostat.graft");
    Path second = temp.resolve("b/thermostat.graft");
    Files.createDirectories(first.getParent());
    Files.createDirectories(second.getParent());

    assertThat(
            build(Examples.wasm("thermostat"), Examples.manifest("thermostat"), first).exitCode())
        .isZero();
    assertThat(
            build(Examples.wasm("thermostat"), Examples.manifest("thermostat"), second).exitCode())
        .isZero();

    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
  }

  @Test
  void build_json_namesModuleVersionSizeAndHash() throws Exception {
    Path out = temp.resolve("boiler.graft");
    GraftRun.Result result =
        build(
            Examples.wasm("boiler-control-1.1"),
            Examples.manifest("boiler-control-1.1"),
            out,
            "--json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonObject json =
        JsonParser.withDefaults().parseObject(result.out().getBytes(StandardCharsets.UTF_8));
    byte[] bytes = Files.readAllBytes(out);
    assertThat(json.string("module")).isEqualTo("boiler-control");
    assertThat(json.string("version")).isEqualTo("1.1.0");
    assertThat(json.integer("size")).isEqualTo(bytes.length);
    assertThat(json.string("sha256")).isEqualTo(sha256(bytes));
    assertThat(json.string("module_sha256"))
        .isEqualTo(sha256(Files.readAllBytes(Examples.wasm("boiler-control-1.1"))));
  }

  @Test
  void build_existingOutput_refusedUnlessForced() throws Exception {
    Path out = temp.resolve("thermostat.graft");
    Files.writeString(out, "keep me");

    GraftRun.Result refused =
        build(Examples.wasm("thermostat"), Examples.manifest("thermostat"), out);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains(out + " already exists", "--force");
    assertThat(Files.readString(out)).isEqualTo("keep me");

    GraftRun.Result forced =
        build(Examples.wasm("thermostat"), Examples.manifest("thermostat"), out, "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(BundleReader.withDefaults().read(Files.readAllBytes(out)).name())
        .isEqualTo("thermostat");
  }

  @Test
  void build_notWebAssembly_refusedNamingTheModuleAndNoOutput() throws Exception {
    Path wasm = temp.resolve("broken.wasm");
    Files.writeString(wasm, "this is not a module");
    Path out = temp.resolve("out.graft");

    GraftRun.Result result = build(wasm, Examples.manifest("thermostat"), out);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains(wasm + " is not a valid graft/1 module");
    assertThat(out).doesNotExist();
    try (var files = Files.list(temp)) {
      assertThat(files).containsExactly(wasm);
    }
  }

  @Test
  void build_moduleWithoutGraftExports_refusedListingEveryViolation() throws Exception {
    // The smallest valid WebAssembly module: header only, no memory, no graft_tick.
    Path wasm = temp.resolve("empty.wasm");
    Files.write(wasm, new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
    Path out = temp.resolve("out.graft");

    GraftRun.Result result = build(wasm, Examples.manifest("thermostat"), out);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains(wasm + " is not a valid graft/1 module", "memory", "graft_tick");
    assertThat(out).doesNotExist();
  }

  @Test
  void build_badManifest_refusedNamingTheManifestAndTheMember() throws Exception {
    Path manifest = temp.resolve("manifest.json");
    Files.writeString(
        manifest,
        Files.readString(Examples.manifest("thermostat")).replace("\"graft/1\"", "\"graft/9\""));
    Path out = temp.resolve("out.graft");

    GraftRun.Result result = build(Examples.wasm("thermostat"), manifest, out);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains(manifest + " is not a valid manifest", "abi", "graft/9", "fix it");
    assertThat(out).doesNotExist();
  }

  @Test
  void build_manifestOfAnotherModule_refusedNamingBothHashes() throws Exception {
    Path out = temp.resolve("out.graft");
    byte[] boiler = Files.readAllBytes(Examples.wasm("boiler-control-1.0"));

    GraftRun.Result result =
        build(Examples.wasm("boiler-control-1.0"), Examples.manifest("thermostat"), out);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains(Examples.manifest("thermostat") + " names module.sha256")
        .contains(Examples.wasm("boiler-control-1.0") + " hashes to " + sha256(boiler))
        .contains("different build");
    assertThat(out).doesNotExist();
  }

  @Test
  void build_missingManifest_refusedNamingThePath() {
    Path missing = temp.resolve("nope.json");
    GraftRun.Result result = build(Examples.wasm("thermostat"), missing, temp.resolve("out.graft"));
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains(missing + " does not exist");
  }

  @Test
  void help_teachesByExample() {
    GraftRun.Result help = graft().run("bundle", "build", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Examples:", "graft bundle build --wasm", "--force");
  }

  @Test
  void build_moduleMemoryAboveTheDeclaredLimit_refused() throws Exception {
    // thermostat starts with 2 pages of memory; its manifest now declares 1.
    Path manifest = temp.resolve("manifest.json");
    String text = Files.readString(Examples.manifest("thermostat"));
    assertThat(text).contains("\"memory_pages\": 2");
    Files.writeString(manifest, text.replace("\"memory_pages\": 2", "\"memory_pages\": 1"));
    Path out = temp.resolve("out.graft");

    GraftRun.Result result = build(Examples.wasm("thermostat"), manifest, out);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains(Examples.wasm("thermostat") + " is not a valid graft/1 module")
        .contains("limits.memory_pages = 1");
    assertThat(out).doesNotExist();
  }
}
