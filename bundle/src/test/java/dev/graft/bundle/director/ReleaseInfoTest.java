package dev.graft.bundle.director;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.ReleaseMismatchException;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.SampleBundles;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bundle's manifest must name the module and version the image repository signed. */
class ReleaseInfoTest {
  private static final ReleaseInfo RELEASED =
      new ReleaseInfo(
          "boiler-control", "1.4.0", 14, List.of("gw-x86-64"), Optional.empty(), Optional.empty());

  private static Bundle bundle(String name, String version) {
    byte[] module = SampleBundles.module();
    return Bundle.of(
        SampleBundles.manifest(name, version, SampleBundles.sha256Hex(module)), module);
  }

  @Test
  void requireDescribes_sameModuleAndVersion_passes() {
    assertThatCode(() -> RELEASED.requireDescribes(bundle("boiler-control", "1.4.0"), "b.graft"))
        .doesNotThrowAnyException();
  }

  @Test
  void requireDescribes_otherVersion_throwsReleaseMismatch() {
    assertThatThrownBy(
            () -> RELEASED.requireDescribes(bundle("boiler-control", "1.3.0"), "b-1.4.0.graft"))
        .isExactlyInstanceOf(ReleaseMismatchException.class)
        .hasMessageContaining(
            "bundle b-1.4.0.graft carries boiler-control 1.3.0 but was released as"
                + " boiler-control 1.4.0")
        .hasMessageContaining("refusing it");
  }

  @Test
  void requireDescribes_otherModule_throwsReleaseMismatch() {
    assertThatThrownBy(() -> RELEASED.requireDescribes(bundle("door-control", "1.4.0"), "b.graft"))
        .isExactlyInstanceOf(ReleaseMismatchException.class)
        .hasMessageContaining("carries door-control 1.4.0");
  }
}
