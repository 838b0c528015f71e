package dev.graft.signer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The example modules the examples module builds (examples/build.sh): each NAME.wasm beside its
 * NAME.manifest.json with module.sha256 filled in, and the example site grants of policies.
 */
final class Examples {
  /** Every module examples/build.sh builds. */
  static final List<String> MODULES =
      List.of(
          "thermostat",
          "boiler-control-1.0",
          "boiler-control-1.1",
          "boiler-control-1.2",
          "compute",
          "runaway",
          "memory-bomb");

  private Examples() {}

  static Path wasm(String name) {
    return existing(directory("graft.examples.wasm").resolve(name + ".wasm"));
  }

  static Path manifest(String name) {
    return existing(directory("graft.examples.wasm").resolve(name + ".manifest.json"));
  }

  /** An example grant of policies/examples, such as boiler-site.yaml. */
  static Path grant(String file) {
    return existing(directory("graft.policies.examples").resolve(file));
  }

  private static Path directory(String property) {
    String value = System.getProperty(property);
    assertThat(value)
        .as("system property %s (set by signer-tool's pom for surefire)", property)
        .isNotBlank();
    return Path.of(value);
  }

  private static Path existing(Path file) {
    assertThat(file).as("built by the examples module (bash examples/build.sh)").exists();
    return file;
  }

  /** Builds an example's bundle through the command line and returns its path. */
  static Path bundle(Path dir, String name) {
    Path out = dir.resolve(name + ".graft");
    if (!Files.exists(out)) {
      var result =
          dev.graft.signer.GraftRun.graft()
              .run(
                  "bundle",
                  "build",
                  "--wasm",
                  wasm(name).toString(),
                  "--manifest",
                  manifest(name).toString(),
                  "--out",
                  out.toString());
      assertThat(result.exitCode()).as(result.toString()).isZero();
    }
    return out;
  }
}
