package dev.graft.bundle.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.graft.bundle.BundleFormatException;

/**
 * Arbitrary bytes fed to the reader. The property: the reader either returns a bundle or throws
 * {@link BundleFormatException}; any other exception or error (an index out of bounds, a negative
 * array size, running out of memory) is a finding. A bundle it does return must survive being
 * written canonically and read again unchanged.
 *
 * <p>The build runs this in regression mode over the seeds in {@code
 * BundleReaderFuzzTestInputs/read_arbitraryBytes_returnsBundleOrRefuses} (a valid bundle and small
 * variations of it) and the empty input; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class BundleReaderFuzzTest {
  private static final BundleReader READER =
      BundleReader.builder().maxManifestBytes(4096).maxModuleBytes(64 * 1024).build();

  @FuzzTest(maxDuration = "60s")
  void read_arbitraryBytes_returnsBundleOrRefuses(byte[] data) {
    Bundle bundle;
    try {
      bundle = READER.read(data);
    } catch (BundleFormatException refused) {
      return;
    }
    assertThat(READER.read(BundleWriter.write(bundle))).isEqualTo(bundle);
  }
}
