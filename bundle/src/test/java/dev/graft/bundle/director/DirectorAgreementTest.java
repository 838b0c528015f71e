package dev.graft.bundle.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.DirectorDisagreementException;
import dev.graft.bundle.DowngradeException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.director.Agreement.Agreed;
import dev.graft.bundle.director.Agreement.Reason;
import dev.graft.bundle.director.Agreement.Refused;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.testing.RepositoryFixture;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Uptane rule: install only what the director names and the image repository released. */
class DirectorAgreementTest {
  private static final String PATH = "boiler-control-1.4.0.graft";
  private static final byte[] BUNDLE = "boiler control 1.4.0".getBytes(StandardCharsets.UTF_8);
  private static final String HARDWARE = "gw-x86-64";
  private static final long COUNTER = 14;

  private static Map<String, String> hashes(byte[] bytes) {
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put("sha256", RepositoryFixture.sha256(bytes));
    hashes.put("sha512", RepositoryFixture.sha512(bytes));
    return hashes;
  }

  private static JsonObject releaseCustom(long counter, String... hardware) {
    List<dev.graft.bundle.json.JsonValue> ids =
        Stream.of(hardware).map(h -> (dev.graft.bundle.json.JsonValue) new JsonString(h)).toList();
    return JsonObject.builder()
        .put(
            "graft",
            JsonObject.builder()
                .put("module", "boiler-control")
                .put("version", "1.4.0")
                .put("release_counter", counter)
                .put("hardware", new JsonArray(ids))
                .build())
        .build();
  }

  /** The image repository's entry: offline-signed custom fields that count. */
  private static TargetFile released(long counter, String... hardware) {
    return TargetFile.of(
        PATH, BUNDLE.length, hashes(BUNDLE), Optional.of(releaseCustom(counter, hardware)));
  }

  private static final TargetFile IMAGE = released(COUNTER, HARDWARE, "gw-arm64");

  /** The director's entry: same path and hashes, its own rollout fields. */
  private static TargetFile named(String path, long length, Map<String, String> hashes) {
    JsonObject rollout =
        JsonObject.builder()
            .put("graft", JsonObject.builder().put("rollout", "r-7").put("wave", 2).build())
            .build();
    return TargetFile.of(path, length, hashes, Optional.of(rollout));
  }

  private static final TargetFile NAMED = named(PATH, BUNDLE.length, hashes(BUNDLE));

  private static final TargetFile GRANT =
      TargetFile.of(
          "grants/gw-1.yaml", 3, hashes("a: b".getBytes(StandardCharsets.UTF_8)), Optional.empty());

  private static Targets director(TargetFile... files) {
    Map<String, TargetFile> targets = new LinkedHashMap<>();
    for (TargetFile file : files) {
      targets.put(file.path(), file);
    }
    return new Targets(
        Signed.SPEC_VERSION,
        9,
        Instant.parse("2030-01-01T00:00:00Z"),
        targets,
        Optional.empty(),
        JsonObject.empty());
  }

  private static Function<String, Optional<TargetFile>> image(TargetFile... files) {
    Map<String, TargetFile> byPath = new LinkedHashMap<>();
    for (TargetFile file : files) {
      byPath.put(file.path(), file);
    }
    return path -> Optional.ofNullable(byPath.get(path));
  }

  @Test
  void decide_bothAgree_agreedWithImageEntryAndRelease() {
    Agreement agreement = DirectorAgreement.decide(director(NAMED), image(IMAGE), HARDWARE, 3);

    assertThat(agreement).isInstanceOf(Agreed.class);
    Agreed agreed = (Agreed) agreement;
    // The image repository's entry is returned: its custom fields are the signed-offline ones.
    assertThat(agreed.target()).isEqualTo(IMAGE);
    assertThat(agreed.release().module()).isEqualTo("boiler-control");
    assertThat(agreed.release().version()).isEqualTo("1.4.0");
    assertThat(agreed.release().releaseCounter()).isEqualTo(COUNTER);
  }

  @Test
  void decide_grantBesideBundle_grantIgnoredAndAgreed() {
    Agreement agreement =
        DirectorAgreement.decide(director(GRANT, NAMED), image(IMAGE), HARDWARE, 0);

    assertThat(agreement).isInstanceOf(Agreed.class);
  }

  @Test
  void decide_counterEqualsFloor_agreed() {
    assertThat(DirectorAgreement.require(director(NAMED), image(IMAGE), HARDWARE, COUNTER).target())
        .isEqualTo(IMAGE);
  }

  @Test
  void decide_hexDigestsDifferOnlyInCase_agreed() {
    Map<String, String> upper = new LinkedHashMap<>();
    hashes(BUNDLE).forEach((k, v) -> upper.put(k, v.toUpperCase(java.util.Locale.ROOT)));

    Agreement agreement =
        DirectorAgreement.decide(
            director(named(PATH, BUNDLE.length, upper)), image(IMAGE), HARDWARE, 0);

    assertThat(agreement).isInstanceOf(Agreed.class);
  }

  static Stream<Arguments> refusals() {
    Map<String, String> otherSha256 = hashes(BUNDLE);
    otherSha256.put("sha256", RepositoryFixture.sha256(new byte[] {1}));
    Map<String, String> otherSha512 = hashes(BUNDLE);
    otherSha512.put("sha512", RepositoryFixture.sha512(new byte[] {1}));
    Map<String, String> noSha512 = hashes(BUNDLE);
    noSha512.remove("sha512");
    Map<String, String> badHex = hashes(BUNDLE);
    badHex.put("sha256", "not hex");
    TargetFile imageWithoutSha512 = TargetFile.of(PATH, BUNDLE.length, noSha512, IMAGE.custom());
    TargetFile imageWithoutCustom =
        TargetFile.of(PATH, BUNDLE.length, hashes(BUNDLE), Optional.empty());
    return Stream.of(
        refusal(
            "director names nothing",
            director(),
            image(IMAGE),
            0,
            Reason.NO_TARGET,
            "name no bundle"),
        refusal(
            "director names only a grant",
            director(GRANT),
            image(IMAGE),
            0,
            Reason.NO_TARGET,
            "name no bundle"),
        refusal(
            "director names two bundles",
            director(NAMED, named("other-2.0.0.graft", 1, hashes(new byte[] {1}))),
            image(IMAGE),
            0,
            Reason.AMBIGUOUS,
            "name 2 bundles"),
        refusal(
            "image repository does not list it",
            director(NAMED),
            image(),
            0,
            Reason.NOT_RELEASED,
            "which the image repository does not list"),
        refusal(
            "length differs",
            director(named(PATH, BUNDLE.length + 1, hashes(BUNDLE))),
            image(IMAGE),
            0,
            Reason.DIFFERENT_CONTENT,
            "bytes, image repository says"),
        refusal(
            "sha256 differs",
            director(named(PATH, BUNDLE.length, otherSha256)),
            image(IMAGE),
            0,
            Reason.DIFFERENT_CONTENT,
            "director sha256"),
        refusal(
            "sha512 differs",
            director(named(PATH, BUNDLE.length, otherSha512)),
            image(IMAGE),
            0,
            Reason.DIFFERENT_CONTENT,
            "director sha512"),
        refusal(
            "director lists no sha512",
            director(named(PATH, BUNDLE.length, noSha512)),
            image(IMAGE),
            0,
            Reason.DIFFERENT_CONTENT,
            "must list a sha512 hash"),
        refusal(
            "image repository lists no sha512",
            director(NAMED),
            image(imageWithoutSha512),
            0,
            Reason.DIFFERENT_CONTENT,
            "must list a sha512 hash"),
        refusal(
            "director digest is not hex",
            director(named(PATH, BUNDLE.length, badHex)),
            image(IMAGE),
            0,
            Reason.DIFFERENT_CONTENT,
            "differs from image repository"),
        refusal(
            "released for other hardware",
            director(NAMED),
            image(released(COUNTER, "gw-arm64")),
            0,
            Reason.WRONG_HARDWARE,
            "not for hardware 'gw-x86-64'"),
        refusal(
            "release has no custom fields",
            director(NAMED),
            image(imageWithoutCustom),
            0,
            Reason.MALFORMED,
            "has no custom fields"),
        refusal(
            "counter below floor",
            director(NAMED),
            image(IMAGE),
            COUNTER + 1,
            Reason.BELOW_FLOOR,
            "release counter 14, below this gateway's floor 15"));
  }

  private static Arguments refusal(
      String name,
      Targets director,
      Function<String, Optional<TargetFile>> image,
      long floor,
      Reason reason,
      String message) {
    return Arguments.of(Named.of(name, director), image, floor, reason, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void decide_refusal_namesReason(
      Targets director,
      Function<String, Optional<TargetFile>> image,
      long floor,
      Reason reason,
      String message) {
    Agreement agreement = DirectorAgreement.decide(director, image, HARDWARE, floor);

    assertThat(agreement).isInstanceOf(Refused.class);
    assertThat(((Refused) agreement).reason()).isEqualTo(reason);
    assertThat(((Refused) agreement).message()).contains(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void require_refusal_throwsDowngradeOnlyBelowFloor(
      Targets director,
      Function<String, Optional<TargetFile>> image,
      long floor,
      Reason reason,
      String message) {
    Class<? extends TrustException> expected =
        reason == Reason.BELOW_FLOOR
            ? DowngradeException.class
            : DirectorDisagreementException.class;

    assertThatThrownBy(() -> DirectorAgreement.require(director, image, HARDWARE, floor))
        .isExactlyInstanceOf(expected)
        .hasMessageContaining(message);
  }
}
