package dev.graft.bundle.metadata;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonNumber;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed metadata is refused with a {@link JsonFormatException} whose message names the role and
 * the problem. Each case edits one member of an otherwise valid document.
 */
class MalformedMetadataTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();
  private static final String KEY = MetadataDocuments.KEY_ID;
  private static final String TARGET = "apps/boiler-control-1.4.0.graft";

  private static final JsonObject ROOT = parse(MetadataDocuments.ROOT);
  private static final JsonObject TARGETS = parse(MetadataDocuments.TARGETS);
  private static final JsonObject SNAPSHOT = parse(MetadataDocuments.SNAPSHOT);
  private static final JsonObject TIMESTAMP = parse(MetadataDocuments.TIMESTAMP);

  private static JsonObject parse(String json) {
    return PARSER.parseObject(json.getBytes(StandardCharsets.UTF_8));
  }

  private static final Object REMOVE = new Object();

  /**
   * A copy of {@code doc} with the member at a '|'-separated path (numbers index arrays) set to
   * {@code value}, or removed when value is {@link #REMOVE}.
   */
  private static JsonValue edit(JsonValue doc, List<String> path, Object value) {
    String step = path.getFirst();
    List<String> rest = path.subList(1, path.size());
    if (doc instanceof JsonArray array) {
      List<JsonValue> values = new ArrayList<>(array.values());
      int index = Integer.parseInt(step);
      if (rest.isEmpty()) {
        values.set(index, (JsonValue) value);
      } else {
        values.set(index, edit(values.get(index), rest, value));
      }
      return new JsonArray(values);
    }
    JsonObject object = (JsonObject) doc;
    if (rest.isEmpty()) {
      return value == REMOVE
          ? object.toBuilder().remove(step).build()
          : object.toBuilder().put(step, (JsonValue) value).build();
    }
    return object.toBuilder().put(step, edit(object.require(step), rest, value)).build();
  }

  private static Arguments root(String path, Object value, String message) {
    return Arguments.of("root", ROOT, path, value, message);
  }

  private static Arguments targets(String path, Object value, String message) {
    return Arguments.of("targets", TARGETS, path, value, message);
  }

  private static Arguments snapshot(String path, Object value, String message) {
    return Arguments.of("snapshot", SNAPSHOT, path, value, message);
  }

  private static Arguments timestamp(String path, Object value, String message) {
    return Arguments.of("timestamp", TIMESTAMP, path, value, message);
  }

  private static JsonValue string(String s) {
    return new JsonString(s);
  }

  private static JsonValue number(long n) {
    return new JsonNumber(n);
  }

  private static JsonValue strings(String... values) {
    List<JsonValue> out = new ArrayList<>();
    for (String v : values) {
      out.add(new JsonString(v));
    }
    return new JsonArray(out);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // missing members
        root("signed|expires", REMOVE, "missing required member 'expires'"),
        root("signed|keys", REMOVE, "missing required member 'keys'"),
        root("signed|roles|timestamp", REMOVE, "must define the roles root, targets, snapshot"),
        root("signatures", REMOVE, "missing required member 'signatures'"),
        root("signed", REMOVE, "missing required member 'signed'"),
        root("signatures|0|sig", REMOVE, "signature missing required member 'sig'"),
        root(
            "signed|keys|" + KEY + "|keyval",
            REMOVE,
            "key '" + KEY + "': malformed key object: missing required member 'keyval'"),
        targets(
            "signed|targets|" + TARGET + "|hashes",
            REMOVE,
            "target '" + TARGET + "': missing required member 'hashes'"),
        targets(
            "signed|delegations|roles|0|terminating",
            REMOVE,
            "delegated role 'apps': missing required member 'terminating'"),
        targets(
            "signed|delegations|roles|0|name",
            REMOVE,
            "delegated role 1: missing required member 'name'"),
        snapshot("signed|meta", REMOVE, "missing required member 'meta'"),
        timestamp("signed|meta|snapshot.json", REMOVE, "missing required member 'snapshot.json'"),
        // wrong types
        root("signed|version", string("3"), "member 'version' must be integer, found string"),
        root("signed|consistent_snapshot", string("yes"), "'consistent_snapshot' must be boolean"),
        root("signed|roles|root|keyids", string(KEY), "role 'root': member 'keyids' must be array"),
        root(
            "signed|roles|root|keyids",
            new JsonArray(List.of(number(1))),
            "role 'root': keyids must hold strings, found integer"),
        root("signed|keys|" + KEY, string("key"), "key '" + KEY + "' must be an object"),
        root("signed", new JsonArray(List.of()), "member 'signed' must be object, found array"),
        root("signatures|0", string("sig"), "signatures must be objects"),
        targets("signed|targets|" + TARGET, number(1), "target '" + TARGET + "' must be an object"),
        targets(
            "signed|targets|" + TARGET + "|custom",
            string("c"),
            "target '" + TARGET + "': member 'custom' must be object, found string"),
        targets(
            "signed|delegations|roles|0|paths",
            new JsonArray(List.of(number(1))),
            "delegated role 'apps': paths must hold strings"),
        snapshot("signed|meta|targets.json", number(5), "meta 'targets.json' must be an object"),
        // values out of range
        root(
            "signed|roles|root|threshold",
            number(0),
            "role 'root': threshold must be a positive integer, found 0"),
        root(
            "signed|roles|targets|threshold",
            number(-1),
            "role 'targets': threshold must be a positive integer, found -1"),
        root("signed|version", number(0), "version must be at least 1, found 0"),
        root(
            "signed|roles|targets|keyids",
            strings(KEY, KEY),
            "role 'targets': role lists a key id more than once"),
        root(
            "signed|roles|mirror",
            ROOT.object("signed").object("roles").object("root"),
            "root names an unknown role 'mirror'"),
        root("signed|_type", string("targets"), "expected _type 'root', found 'targets'"),
        targets(
            "signed|targets|" + TARGET + "|length",
            number(-1),
            "target '" + TARGET + "': length must not be negative, found -1"),
        targets(
            "signed|targets|" + TARGET + "|hashes",
            JsonObject.empty(),
            "target '" + TARGET + "': hashes must name at least one digest"),
        targets(
            "signed|targets|" + TARGET + "|hashes|sha256",
            string("xyz"),
            "target '" + TARGET + "': hash 'sha256' must be a hex string"),
        targets(
            "signed|targets|" + TARGET + "|hashes|sha256",
            string("abc"),
            "target '" + TARGET + "': hash 'sha256' must be a hex string"),
        targets(
            "signed|delegations|roles|0|threshold",
            number(0),
            "delegated role 'apps': threshold must be a positive integer, found 0"),
        targets(
            "signed|delegations|roles|0|keyids",
            strings(KEY, KEY),
            "delegated role 'apps' lists a key id more than once"),
        targets(
            "signed|delegations|roles|0|path_hash_prefixes",
            strings("ab"),
            "must have exactly one of paths and path_hash_prefixes"),
        targets(
            "signed|delegations|roles|1|path_hash_prefixes",
            REMOVE,
            "delegated role 'bins' must have exactly one of paths and path_hash_prefixes"),
        targets(
            "signed|delegations|roles|0|name",
            string("root"),
            "delegated role name 'root' is reserved"),
        targets(
            "signed|delegations|roles|1|name",
            string("apps"),
            "delegations name role 'apps' twice"),
        targets(
            "signed|delegations|succinct_roles",
            JsonObject.empty(),
            "succinct_roles delegations are not supported"),
        snapshot(
            "signed|meta|targets.json|version",
            number(0),
            "meta 'targets.json': version must be at least 1, found 0"),
        snapshot(
            "signed|meta|targets.json|length",
            number(-5),
            "meta 'targets.json': length must not be negative, found -5"),
        timestamp(
            "signed|meta|snapshot.json|hashes",
            JsonObject.empty(),
            "meta 'snapshot.json': hashes must name at least one digest"),
        // dates and spec versions
        root(
            "signed|expires",
            string("2030-01-01 00:00:00"),
            "expires '2030-01-01 00:00:00' is not of the form YYYY-MM-DDTHH:MM:SSZ"),
        root("signed|expires", string("2030-01-01T00:00:00+01:00"), "is not of the form"),
        root("signed|expires", string("2030-01-01T00:00:00.5Z"), "is not of the form"),
        root("signed|expires", string("2030-02-30T00:00:00Z"), "is not of the form"),
        timestamp("signed|expires", number(1_900_000_000), "'expires' must be string"),
        root("signed|spec_version", string("2.0"), "unsupported spec_version '2.0'"),
        root("signed|spec_version", string("1"), "unsupported spec_version '1'"),
        snapshot("signed|spec_version", string("1.0.x"), "malformed spec_version '1.0.x'"),
        timestamp("signed|spec_version", string("0.9.0"), "unsupported spec_version '0.9.0'"));
  }

  @ParameterizedTest(name = "{0} {2}: {4}")
  @MethodSource("cases")
  void parse_malformedMember_throwsJsonFormatNamingProblem(
      String role, JsonObject valid, String path, Object value, String message) {
    byte[] bytes = PrettyJson.encode((JsonObject) edit(valid, List.of(path.split("\\|")), value));
    BiFunction<byte[], JsonParser, SignedMetadata<?>> parse =
        switch (role) {
          case "root" -> SignedMetadata::parseRoot;
          case "targets" -> SignedMetadata::parseTargets;
          case "snapshot" -> SignedMetadata::parseSnapshot;
          default -> SignedMetadata::parseTimestamp;
        };

    assertThatThrownBy(() -> parse.apply(bytes, PARSER))
        .isExactlyInstanceOf(JsonFormatException.class)
        .hasMessageStartingWith("malformed " + role + " metadata: ")
        .hasMessageContaining(message);
  }
}
