package dev.graft.bundle.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.PrettyJson;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parsing then writing keeps every member, known or not: a Graft writer that re-signs or
 * re-publishes a file written by a newer tool must not drop what it does not understand.
 */
class MetadataRoundTripTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();

  static Stream<Arguments> documents() {
    BiFunction<byte[], JsonParser, SignedMetadata<?>> root = SignedMetadata::parseRoot;
    BiFunction<byte[], JsonParser, SignedMetadata<?>> targets = SignedMetadata::parseTargets;
    BiFunction<byte[], JsonParser, SignedMetadata<?>> snapshot = SignedMetadata::parseSnapshot;
    BiFunction<byte[], JsonParser, SignedMetadata<?>> timestamp = SignedMetadata::parseTimestamp;
    return Stream.of(
        Arguments.of(Named.of("root", MetadataDocuments.ROOT), root),
        Arguments.of(Named.of("targets", MetadataDocuments.TARGETS), targets),
        Arguments.of(Named.of("snapshot", MetadataDocuments.SNAPSHOT), snapshot),
        Arguments.of(Named.of("timestamp", MetadataDocuments.TIMESTAMP), timestamp));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void toJson_parsedDocument_equalsOriginal(
      String json, BiFunction<byte[], JsonParser, SignedMetadata<?>> parse) {
    JsonObject original = PARSER.parseObject(MetadataDocuments.bytes(json));

    SignedMetadata<?> parsed = parse.apply(MetadataDocuments.bytes(json), PARSER);

    assertThat(parsed.toJson()).isEqualTo(original);
    // The model itself, rebuilt member by member, not only the received object it keeps.
    assertThat(parsed.signed().toJson()).isEqualTo(original.object("signed"));
    assertThat(CanonicalJson.encode(parsed.signed().toJson())).isEqualTo(parsed.canonicalSigned());
    assertThat(CanonicalJson.encode(parsed.toJson())).isEqualTo(CanonicalJson.encode(original));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void toJson_writtenAndParsedAgain_isStable(
      String json, BiFunction<byte[], JsonParser, SignedMetadata<?>> parse) {
    SignedMetadata<?> first = parse.apply(MetadataDocuments.bytes(json), PARSER);

    SignedMetadata<?> second = parse.apply(PrettyJson.encode(first.toJson()), PARSER);

    assertThat(second.canonicalSigned()).isEqualTo(first.canonicalSigned());
    assertThat(second.signed()).isEqualTo(first.signed());
    assertThat(second.signatures()).isEqualTo(first.signatures());
  }

  @Test
  void parseRoot_unknownMembers_keptInTheModel() {
    Root root =
        SignedMetadata.parseRoot(MetadataDocuments.bytes(MetadataDocuments.ROOT), PARSER).signed();

    assertThat(root.unrecognized().has("x-signed")).isTrue();
    assertThat(root.role(RoleType.ROOT).unrecognized().string("x-role")).isEqualTo("r");
    assertThat(root.keys().get(MetadataDocuments.KEY_ID).json().has("x-key")).isTrue();
    assertThat(root.keys().get(MetadataDocuments.KEY_ID).json().object("keyval").has("x-keyval"))
        .isTrue();
  }

  @Test
  void parseTargets_unknownMembers_keptInTheModel() {
    SignedMetadata<Targets> parsed =
        SignedMetadata.parseTargets(MetadataDocuments.bytes(MetadataDocuments.TARGETS), PARSER);
    Targets targets = parsed.signed();
    Delegations delegations = targets.delegations().orElseThrow();

    assertThat(
            targets.targets().get("apps/boiler-control-1.4.0.graft").unrecognized().has("x-target"))
        .isTrue();
    assertThat(delegations.unrecognized().string("x-delegations")).isEqualTo("d");
    assertThat(delegations.role("apps").orElseThrow().unrecognized().has("x-delegated-role"))
        .isTrue();
    assertThat(parsed.signatures().getFirst().unrecognized().integer("x-signature")).isEqualTo(7);
    assertThat(parsed.toJson().has("x-envelope")).isTrue();
  }

  @Test
  void parseSnapshot_unknownMetaMember_keptInTheModel() {
    Snapshot snapshot =
        SignedMetadata.parseSnapshot(MetadataDocuments.bytes(MetadataDocuments.SNAPSHOT), PARSER)
            .signed();

    assertThat(snapshot.metaFor("targets").orElseThrow().unrecognized().string("x-meta"))
        .isEqualTo("m");
    assertThat(snapshot.metaFor("apps").orElseThrow().length()).isEmpty();
  }
}
