package dev.graft.bundle.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.JsonFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Member order, unknown members, typed access and equality of the JSON model. */
class JsonObjectTest {
  private static final JsonParser PARSER = JsonParser.withDefaults();

  @Test
  void parse_keepsDocumentOrder() {
    JsonObject object = parse("{\"z\":1,\"a\":2,\"m\":3,\"😀\":4,\"\uE000\":5}");

    assertThat(object.members().sequencedKeySet()).containsExactly("z", "a", "m", "😀", "\uE000");
  }

  @Test
  void toBuilder_keepsUnknownMembersAndOrder_replacesInPlace() {
    JsonObject object = parse("{\"version\":1,\"x-vendor\":{\"k\":[1]},\"expires\":\"2030\"}");

    JsonObject updated = object.toBuilder().put("version", 2).put("added", true).build();

    assertThat(updated.members().sequencedKeySet())
        .containsExactly("version", "x-vendor", "expires", "added");
    assertThat(updated.integer("version")).isEqualTo(2);
    assertThat(updated.object("x-vendor")).isEqualTo(object.object("x-vendor"));
    assertThat(object.integer("version")).as("the original is unchanged").isEqualTo(1);
  }

  @Test
  void builderRemove_dropsMember() {
    JsonObject object = parse("{\"a\":1,\"b\":2}").toBuilder().remove("a").build();

    assertThat(object.members().sequencedKeySet()).containsExactly("b");
    assertThat(object.has("a")).isFalse();
  }

  @Test
  void members_areUnmodifiable() {
    JsonObject object = parse("{\"a\":1}");

    assertThatThrownBy(() -> object.members().put("b", JsonNull.INSTANCE))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void builder_laterChanges_doNotLeakIntoBuiltObject() {
    JsonObject.Builder builder = JsonObject.builder().put("a", 1);
    JsonObject built = builder.build();

    builder.put("b", 2);

    assertThat(built.members()).containsOnlyKeys("a");
  }

  @Test
  void equals_objectsIgnoreMemberOrder() {
    JsonObject forward = parse("{\"a\":1,\"b\":[1,2]}");
    JsonObject backward = parse("{\"b\":[1,2],\"a\":1}");

    assertThat(forward).isEqualTo(backward).hasSameHashCodeAs(backward);
  }

  @Test
  void equals_arraysRespectOrderAndTypesDiffer() {
    assertThat(parse("{\"a\":[1,2]}")).isNotEqualTo(parse("{\"a\":[2,1]}"));
    assertThat(parse("{\"a\":1}")).isNotEqualTo(parse("{\"a\":\"1\"}"));
    assertThat(parse("{\"a\":null}")).isNotEqualTo(parse("{}"));
    assertThat(parse("{\"a\":true}")).isNotEqualTo(parse("{\"a\":1}"));
    assertThat(new JsonBoolean(true)).isEqualTo(JsonBoolean.TRUE);
    assertThat(new JsonNull()).isEqualTo(JsonNull.INSTANCE);
    assertThat(JsonObject.empty())
        .isEqualTo(JsonObject.builder().build())
        .isNotEqualTo(JsonArray.of());
  }

  @Test
  void jsonArray_copiesItsList() {
    List<JsonValue> values = new ArrayList<>(List.of(new JsonNumber(1)));
    JsonArray array = new JsonArray(values);

    values.add(new JsonNumber(2));

    assertThat(array.size()).isEqualTo(1);
    assertThatThrownBy(() -> array.values().add(JsonNull.INSTANCE))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void typedAccessors_missingOrWrongType_nameMemberAndTypes() {
    JsonObject object = parse("{\"v\":\"7\",\"n\":7,\"o\":{},\"a\":[],\"b\":false}");

    assertThatThrownBy(() -> object.string("missing"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("missing required member 'missing'");
    assertThatThrownBy(() -> object.integer("v"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("member 'v' must be integer, found string");
    assertThatThrownBy(() -> object.object("a"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("member 'a' must be object, found array");
    assertThatThrownBy(() -> object.bool("n"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("member 'n' must be boolean, found integer");
    assertThatThrownBy(() -> object.array("o"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("member 'o' must be array, found object");
  }

  @Test
  void typedAccessors_presentAndOptional() {
    JsonObject object = parse("{\"v\":\"7\",\"n\":-7,\"o\":{\"x\":1},\"a\":[null],\"b\":false}");

    assertThat(object.string("v")).isEqualTo("7");
    assertThat(object.integer("n")).isEqualTo(-7);
    assertThat(object.bool("b")).isFalse();
    assertThat(object.object("o").integer("x")).isEqualTo(1);
    assertThat(object.array("a").get(0)).isEqualTo(JsonNull.INSTANCE);
    assertThat(object.optionalString("v")).contains("7");
    assertThat(object.optionalString("absent")).isEmpty();
    assertThat(object.optionalInteger("n")).hasValue(-7);
    assertThat(object.optionalInteger("absent")).isEmpty();
    assertThat(object.optionalObject("o")).isPresent();
    assertThat(object.optionalArray("absent")).isEmpty();
    assertThat(object.get("absent")).isNull();
    assertThatThrownBy(() -> object.optionalString("n"))
        .isInstanceOf(JsonFormatException.class)
        .hasMessage("member 'n' must be string, found integer");
  }

  private static JsonObject parse(String json) {
    return PARSER.parseObject(json.getBytes(StandardCharsets.UTF_8));
  }
}
