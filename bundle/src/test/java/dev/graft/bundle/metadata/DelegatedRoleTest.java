package dev.graft.bundle.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DelegatedRoleTest {
  private static DelegatedRole byPaths(String... patterns) {
    return new DelegatedRole(
        "apps",
        List.of("k"),
        1,
        false,
        Optional.of(List.of(patterns)),
        Optional.empty(),
        JsonObject.empty());
  }

  private static DelegatedRole byHashPrefixes(String... prefixes) {
    return new DelegatedRole(
        "bins",
        List.of("k"),
        1,
        false,
        Optional.empty(),
        Optional.of(List.of(prefixes)),
        JsonObject.empty());
  }

  private static String sha256Hex(String text) throws NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void isTrustedFor_anyPatternMatches_true() {
    DelegatedRole role = byPaths("firmware/*", "apps/*.graft");

    assertThat(role.isTrustedFor("apps/x.graft")).isTrue();
    assertThat(role.isTrustedFor("firmware/base")).isTrue();
  }

  @Test
  void isTrustedFor_noPatternMatches_false() {
    DelegatedRole role = byPaths("firmware/*", "apps/*.graft");

    assertThat(role.isTrustedFor("apps/x.wasm")).isFalse();
    assertThat(role.isTrustedFor("apps/sub/x.graft")).isFalse();
    assertThat(role.isTrustedFor("grants/gw-1.yaml")).isFalse();
  }

  @Test
  void isTrustedFor_emptyPathList_trustsNothing() {
    assertThat(byPaths().isTrustedFor("apps/x.graft")).isFalse();
  }

  @Test
  void isTrustedFor_hashPrefixOfPathsSha256_true() throws NoSuchAlgorithmException {
    String digest = sha256Hex("apps/x.graft");

    assertThat(byHashPrefixes(digest.substring(0, 1)).isTrustedFor("apps/x.graft")).isTrue();
    assertThat(byHashPrefixes("zz", digest.substring(0, 4)).isTrustedFor("apps/x.graft")).isTrue();
    assertThat(byHashPrefixes(digest).isTrustedFor("apps/x.graft")).isTrue();
  }

  @Test
  void isTrustedFor_hashPrefixOfOtherDigest_false() throws NoSuchAlgorithmException {
    String digest = sha256Hex("apps/x.graft");
    char other = digest.charAt(0) == '0' ? '1' : '0';

    assertThat(byHashPrefixes(other + digest.substring(1, 3)).isTrustedFor("apps/x.graft"))
        .isFalse();
    // The hash is of the path, not of a pattern: the path string itself is no prefix.
    assertThat(byHashPrefixes("apps").isTrustedFor("apps/x.graft")).isFalse();
  }

  @Test
  void new_bothPathsAndHashPrefixes_throwsJsonFormat() {
    assertThatThrownBy(() ->
            new DelegatedRole(
                "apps",
                List.of("k"),
                1,
                false,
                Optional.of(List.of("a/*")),
                Optional.of(List.of("ab")),
                JsonObject.empty()))
        .isExactlyInstanceOf(JsonFormatException.class)
        .hasMessageContaining("exactly one of paths and path_hash_prefixes");
  }

  @Test
  void new_neitherPathsNorHashPrefixes_throwsJsonFormat() {
    assertThatThrownBy(() ->
            new DelegatedRole(
                "apps",
                List.of("k"),
                1,
                false,
                Optional.empty(),
                Optional.empty(),
                JsonObject.empty()))
        .isExactlyInstanceOf(JsonFormatException.class)
        .hasMessageContaining("exactly one of paths and path_hash_prefixes");
  }

  @Test
  void new_topLevelRoleName_throwsJsonFormat() {
    assertThatThrownBy(() ->
            new DelegatedRole(
                "snapshot",
                List.of("k"),
                1,
                false,
                Optional.of(List.of("*")),
                Optional.empty(),
                JsonObject.empty()))
        .isExactlyInstanceOf(JsonFormatException.class)
        .hasMessageContaining("'snapshot' is reserved");
  }
}
