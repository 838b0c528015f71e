package dev.graft.bundle.metadata;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.tuf.Thresholds;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signatures cover the {@code signed} object exactly as received, unknown members included: a file
 * signed by a newer writer verifies here, and nobody can add, drop or change a member unnoticed.
 */
class SignatureCoverageTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();

  static Stream<Arguments> signers() {
    return Stream.of(
        Arguments.of(Named.of("ed25519", RepositoryFixture.newEd25519Key())),
        Arguments.of(Named.of("mldsa65-ed25519", RepositoryFixture.newCompositeKey())));
  }

  private static JsonObject signedObject() {
    return PARSER.parseObject(MetadataDocuments.bytes(MetadataDocuments.TARGETS)).object("signed");
  }

  /** A file whose signature was made over {@code signedForSignature}, carrying {@code signed}. */
  private static byte[] file(JsonObject signed, JsonObject signedForSignature, Signer signer) {
    byte[] signature = signer.sign(CanonicalJson.encode(signedForSignature));
    JsonObject sig =
        JsonObject.builder()
            .put("keyid", signer.keyId())
            .put("sig", HexFormat.of().formatHex(signature))
            .build();
    return PrettyJson.encode(
        JsonObject.builder().put("signed", signed).put("signatures", JsonArray.of(sig)).build());
  }

  private static void check(byte[] file, Signer signer) {
    SignedMetadata<Targets> parsed = SignedMetadata.parseTargets(file, PARSER);
    Thresholds.check(
        parsed, "targets", Map.of(signer.keyId(), signer.publicKey()), List.of(signer.keyId()), 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("signers")
  void check_signatureOverUnknownMembers_verifies(Signer signer) {
    JsonObject signed = signedObject();

    assertThatCode(() -> check(file(signed, signed, signer), signer)).doesNotThrowAnyException();
  }

  static Stream<Arguments> tamperings() {
    UnaryOperator<JsonObject> dropTopLevel = s -> s.toBuilder().remove("x-signed").build();
    UnaryOperator<JsonObject> changeTopLevel = s -> s.toBuilder().put("x-signed", 2).build();
    UnaryOperator<JsonObject> addMember = s -> s.toBuilder().put("x-added", "later").build();
    UnaryOperator<JsonObject> dropNested =
        s -> {
          JsonObject targets = s.object("targets");
          String path = "apps/boiler-control-1.4.0.graft";
          JsonObject target = targets.object(path).toBuilder().remove("x-target").build();
          return s.toBuilder()
              .put("targets", targets.toBuilder().put(path, target).build())
              .build();
        };
    return Stream.of(
        Arguments.of(Named.of("unknown member removed", dropTopLevel)),
        Arguments.of(Named.of("unknown member changed", changeTopLevel)),
        Arguments.of(Named.of("unknown member added", addMember)),
        Arguments.of(Named.of("nested unknown member removed", dropNested)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void check_unknownMemberTamperedAfterSigning_throwsThreshold(UnaryOperator<JsonObject> tamper) {
    Signer signer = RepositoryFixture.newEd25519Key();
    JsonObject signed = signedObject();

    assertThatThrownBy(() -> check(file(tamper.apply(signed), signed, signer), signer))
        .isExactlyInstanceOf(ThresholdException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("signers")
  void check_compositeOrClassicalSignatureAfterMemberRemoved_throwsThreshold(Signer signer) {
    JsonObject signed = signedObject();
    JsonObject withoutMember = signed.toBuilder().remove("x-signed").build();

    assertThatThrownBy(() -> check(file(withoutMember, signed, signer), signer))
        .isExactlyInstanceOf(ThresholdException.class);
  }
}
