package dev.graft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.policies.CapabilityCheck;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.abi.AbiLimits;
import dev.graft.policies.abi.AbiValidator;
import dev.graft.policies.abi.ModuleShape;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every built example against the site's grant (policies/examples/boiler-site.yaml): it passes the
 * static ABI check within the grant's ceilings, its manifest parses, pins exactly the bytes that
 * were built, and asks for nothing the grant does not allow. The runaway and the memory bomb pass
 * too: they misbehave at run time, which no static check can see.
 */
class ExampleModulesTest {

  private static final Grant SITE =
      Grant.parse(BuiltExamples.read(BuiltExamples.policiesExamples().resolve("boiler-site.yaml")));
  private static final AbiLimits SITE_LIMITS =
      new AbiLimits(1 << 20, SITE.ceilings().memoryPages());

  @ParameterizedTest
  @FieldSource("dev.graft.examples.BuiltExamples#NAMES")
  void validate_builtExample_passesWithinSiteCeilings(String name) {
    ModuleShape shape = AbiValidator.validate(BuiltExamples.wasm(name), SITE_LIMITS);

    assertThat(shape.exports()).contains("memory", "graft_tick");
    assertThat(shape.maximumPages()).isLessThanOrEqualTo(SITE_LIMITS.maxMemoryPages());
  }

  @ParameterizedTest
  @FieldSource("dev.graft.examples.BuiltExamples#NAMES")
  void manifest_builtExample_parsesAndPinsTheBuiltBytes(String name) throws Exception {
    Manifest manifest = Manifest.parse(BuiltExamples.manifest(name));

    assertThat(manifest.module().sha256()).isEqualTo(sha256(BuiltExamples.wasm(name)));
    assertThat(name).startsWith(manifest.name());
  }

  @ParameterizedTest
  @FieldSource("dev.graft.examples.BuiltExamples#NAMES")
  void check_builtExampleManifest_isAcceptedBySiteGrant(String name) {
    CapabilityCheck result =
        CapabilityCheck.check(Manifest.parse(BuiltExamples.manifest(name)), SITE);

    assertThat(result).isInstanceOf(CapabilityCheck.Accepted.class);
  }

  @ParameterizedTest
  @FieldSource("dev.graft.examples.BuiltExamples#NAMES")
  void manifest_declaredMemory_coversTheModulesInitialMemory(String name) {
    ModuleShape shape = AbiValidator.validate(BuiltExamples.wasm(name), SITE_LIMITS);
    Manifest manifest = Manifest.parse(BuiltExamples.manifest(name));

    assertThat(manifest.limits().memoryPages()).isGreaterThanOrEqualTo(shape.initialPages());
  }

  @Test
  void validate_boilerControl_exportsTheWholeLifecycle() {
    for (String version : List.of("1.0", "1.1", "1.2")) {
      ModuleShape shape =
          AbiValidator.validate(BuiltExamples.wasm("boiler-control-" + version), SITE_LIMITS);

      assertThat(shape.optionalExports())
          .as("boiler-control %s", version)
          .containsExactly(
              "_initialize",
              "graft_alloc",
              "graft_init",
              "graft_load",
              "graft_save",
              "graft_self_test");
      assertThat(shape.imports())
          .as("boiler-control %s", version)
          .contains("graft.point_get", "graft.point_quality", "graft.point_set", "graft.log");
    }
  }

  @Test
  void manifest_boilerControlReleases_shareNameAndCarryVersionedState() {
    Manifest v10 = Manifest.parse(BuiltExamples.manifest("boiler-control-1.0"));
    Manifest v11 = Manifest.parse(BuiltExamples.manifest("boiler-control-1.1"));
    Manifest v12 = Manifest.parse(BuiltExamples.manifest("boiler-control-1.2"));

    assertThat(List.of(v10.version(), v11.version(), v12.version()))
        .containsExactly("1.0.0", "1.1.0", "1.2.0");
    assertThat(List.of(v10.name(), v11.name(), v12.name())).containsOnly("boiler-control");
    assertThat(v10.stateVersion()).isEqualTo(1);
    assertThat(v10.acceptsState()).containsExactly(1);
    // 1.0 → 1.1 carries state across the v1 → v2 layout change
    assertThat(v11.acceptsState()).contains(v10.stateVersion(), v11.stateVersion());
    assertThat(v12.acceptsState()).contains(v11.stateVersion());
    assertThat(List.of(v10, v11, v12)).allMatch(Manifest::selfTest);
  }

  @Test
  void build_boilerControlReleases_areThreeDifferentModules() {
    Set<String> hashes =
        List.of("1.0", "1.1", "1.2").stream()
            .map(version -> sha256(BuiltExamples.wasm("boiler-control-" + version)))
            .collect(Collectors.toSet());

    assertThat(hashes).hasSize(3);
  }

  @Test
  void validate_misbehavingExamples_lookHarmlessStatically() {
    ModuleShape runaway = AbiValidator.validate(BuiltExamples.wasm("runaway"), SITE_LIMITS);
    ModuleShape bomb = AbiValidator.validate(BuiltExamples.wasm("memory-bomb"), SITE_LIMITS);

    assertThat(runaway.imports()).isEmpty();
    assertThat(bomb.imports()).isEmpty();
    // the bomb declares no maximum, so only the grant's ceiling stops it
    assertThat(bomb.declaredMaximumPages()).isEmpty();
    assertThat(bomb.maximumPages()).isEqualTo(SITE_LIMITS.maxMemoryPages());
    assertThat(bomb.notes()).isNotEmpty();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
