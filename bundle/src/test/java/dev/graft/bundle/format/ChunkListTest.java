package dev.graft.bundle.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.HashMismatchException;
import dev.graft.bundle.JsonFormatException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkListTest {

  private static byte[] bytes(int length) {
    byte[] data = new byte[length];
    new Random(7).nextBytes(data);
    return data;
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void of_lastChunkShort_hashesEveryChunkAndKnowsItsLength() throws Exception {
    byte[] bundle = bytes(2 * 1024 + 100);

    ChunkList list = ChunkList.of(bundle, 1024);

    assertThat(list.chunkCount()).isEqualTo(3);
    assertThat(list.sha256().get(2)).isEqualTo(sha256(Arrays.copyOfRange(bundle, 2048, 2148)));
    assertThat(list.chunkLength(2)).isEqualTo(100);
    assertThat(list.offset(2)).isEqualTo(2048);
  }

  @Test
  void toBytes_isCanonicalJsonAndRoundTrips() throws Exception {
    ChunkList list = ChunkList.of(bytes(1500), 1024);

    byte[] wire = list.toBytes();

    assertThat(new String(wire, StandardCharsets.UTF_8))
        .startsWith("{\"length\":1500,\"sha256\":[\"")
        .endsWith("\"],\"size\":1024}");
    assertThat(ChunkList.parse(wire)).isEqualTo(list);
    assertThat(list.listSha256()).isEqualTo(sha256(wire));
  }

  @Test
  void verifyChunk_flippedByteOrWrongLength_refused() {
    byte[] bundle = bytes(3000);
    ChunkList list = ChunkList.of(bundle, 1024);
    byte[] chunk = Arrays.copyOfRange(bundle, 1024, 2048);

    list.verifyChunk(1, chunk);
    chunk[5] ^= 1;
    assertThatThrownBy(() -> list.verifyChunk(1, chunk))
        .isInstanceOf(HashMismatchException.class)
        .hasMessageMatching(
            "chunk 1 has sha256 [0-9a-f]{64}, trusted metadata says [0-9a-f]{64}; refusing it")
        .extracting(e -> ((HashMismatchException) e).reason())
        .isEqualTo(HashMismatchException.Reason.DIGEST);
    assertThatThrownBy(() -> list.verifyChunk(2, new byte[10]))
        .isInstanceOf(HashMismatchException.class)
        .hasMessage("chunk 2 is 10 bytes, trusted metadata says 952; refusing it");
  }

  @Test
  void parse_countDisagreesWithLength_refused() {
    String json = "{\"length\":5000,\"sha256\":[\"" + "a".repeat(64) + "\"],\"size\":1024}";

    assertThatThrownBy(() -> ChunkList.parse(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("has 1 hashes")
        .hasMessageContaining("has 5");
  }

  @Test
  void parse_unknownMemberUppercaseHexOrTinySize_refused() {
    String hash = "\"" + "a".repeat(64) + "\"";
    assertThatThrownBy(() ->
            ChunkList.parse(
                ("{\"length\":10,\"sha256\":[" + hash + "],\"size\":1024,\"x\":1}")
                    .getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("unknown member \"x\"");
    assertThatThrownBy(() -> new ChunkList(1024, 10, List.of("A".repeat(64))))
        .hasMessageContaining("chunk 0 hash is not 64 lowercase hex digits");
    assertThatThrownBy(() ->
            ChunkList.parse(
                ("{\"length\":10,\"sha256\":[" + hash + "],\"size\":16}")
                    .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining("chunk size 16");
    assertThatThrownBy(() -> ChunkList.parse("[1]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(JsonFormatException.class);
  }
}
