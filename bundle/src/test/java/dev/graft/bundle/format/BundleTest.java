package dev.graft.bundle.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.json.JsonParser;
import org.junit.jupiter.api.Test;

class BundleTest {
  private final byte[] module = SampleBundles.module();
  private final byte[] manifest = SampleBundles.manifestFor(module);

  @Test
  void of_validParts_exposesTheFieldsTheTrustRulesUse() {
    Bundle bundle = Bundle.of(manifest, module);

    assertThat(bundle.name()).isEqualTo("boiler-control");
    assertThat(bundle.version()).isEqualTo("1.4.0");
    assertThat(bundle.moduleSha256()).isEqualTo(SampleBundles.sha256Hex(module));
    assertThat(bundle.moduleSize()).isEqualTo(module.length);
    assertThat(bundle.toString()).contains("boiler-control", "1.4.0").doesNotContain("asm");
  }

  @Test
  void of_inputsChangedAfterwards_bundleKeepsItsOwnCopies() {
    byte[] moduleInput = module.clone();
    byte[] manifestInput = manifest.clone();
    Bundle bundle = Bundle.of(manifestInput, moduleInput);

    moduleInput[9] ^= 1;
    manifestInput[0] = ' ';
    bundle.module()[9] ^= 1;
    bundle.manifestBytes()[0] = ' ';

    assertThat(bundle.module()).isEqualTo(module);
    assertThat(bundle.manifestBytes()).isEqualTo(manifest);
  }

  @Test
  void equals_sameContentInOtherArrays_isEqual() {
    Bundle one = Bundle.of(manifest, module);
    Bundle two = Bundle.of(manifest.clone(), module.clone());

    assertThat(one).isEqualTo(two).hasSameHashCodeAs(two);
    byte[] other = SampleBundles.module("x");
    assertThat(one).isNotEqualTo(Bundle.of(SampleBundles.manifestFor(other), other));
  }

  @Test
  void constructor_manifestObjectNotFromTheseBytes_isRefused() {
    byte[] other = SampleBundles.module("x");
    var otherManifest =
        JsonParser.withDefaults().allowingDecimals().parseObject(SampleBundles.manifestFor(other));

    assertThatThrownBy(() -> new Bundle(otherManifest, manifest, module))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("manifest object does not match the manifest bytes");
  }

  @Test
  void of_emptyName_isRefused() {
    byte[] bad = SampleBundles.manifest("", "1.4.0", SampleBundles.sha256Hex(module));

    assertThatThrownBy(() -> Bundle.of(bad, module))
        .isInstanceOf(BundleFormatException.class)
        .hasMessage("manifest.json has an empty name");
  }

  @Test
  void of_versionNotAString_isRefused() {
    String hash = SampleBundles.sha256Hex(module);
    byte[] bad =
        ("{\"name\":\"a\",\"version\":14,\"module\":{\"sha256\":\"" + hash + "\"}}")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> Bundle.of(bad, module))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("member 'version' must be string, found");
  }

  @Test
  void of_moduleShorterThanWasmHeader_isRefused() {
    byte[] tiny = {0, 'a', 's', 'm'};

    assertThatThrownBy(() -> Bundle.of(SampleBundles.manifestFor(tiny), tiny))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("does not start with the WebAssembly magic");
  }
}
