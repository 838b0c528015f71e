package dev.graft.policies;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * A parsed JSON or YAML document that remembers where every value stood, so that a refusal can name
 * line, column and path. Read from Jackson's token stream rather than bound to classes, so that no
 * coercion, default or alias resolution happens behind our back.
 */
final class Document {
  private static final int MAX_DEPTH = 16;

  /** Builds the exception a refusal turns into (manifest or grant). */
  @FunctionalInterface
  interface Failure {
    PolicyViolationException at(int line, int column, String path, String problem);
  }

  sealed interface Node {
    int line();

    int column();

    /** What kind of value this is, for "must be a string, not an array". */
    String kind();
  }

  record Member(String name, int line, int column, Node value) {}

  record Obj(Map<String, Member> members, int line, int column) implements Node {
    Obj {
      members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    @Override
    public String kind() {
      return "an object";
    }
  }

  record Arr(List<Node> items, int line, int column) implements Node {
    Arr {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "an array";
    }
  }

  record Text(String value, int line, int column) implements Node {
    @Override
    public String kind() {
      return "a string";
    }
  }

  record Num(BigDecimal value, boolean integral, int line, int column) implements Node {
    @Override
    public String kind() {
      return "a number";
    }
  }

  record Bool(boolean value, int line, int column) implements Node {
    @Override
    public String kind() {
      return "a boolean";
    }
  }

  record Null(int line, int column) implements Node {
    @Override
    public String kind() {
      return "null";
    }
  }

  private final JsonParser parser;
  private final Failure failure;

  private Document(JsonParser parser, Failure failure) {
    this.parser = parser;
    this.failure = failure;
  }

  /**
   * Reads one top-level object. The size cap is checked before any parsing, so an oversized
   * document costs nothing but its length.
   */
  static Obj read(TokenStreamFactory factory, byte[] bytes, int maxBytes, Failure failure) {
    if (bytes.length > maxBytes) {
      throw failure.at(
          1,
          1,
          "",
          "document is " + bytes.length + " bytes; at most " + maxBytes + " are accepted");
    }
    try (JsonParser parser = factory.createParser(ObjectReadContext.empty(), bytes)) {
      Document document = new Document(parser, failure);
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw document.fail("", "the document must be one object");
      }
      Node root = document.value("", 1);
      if (parser.nextToken() != null) {
        throw document.fail("", "unexpected content after the top-level object");
      }
      return (Obj) root;
    } catch (JacksonException e) {
      TokenStreamLocation where = e.getLocation();
      int line = where == null ? 0 : where.getLineNr();
      int column = where == null ? 0 : where.getColumnNr();
      throw failure.at(line, column, "", "not well-formed: " + syntaxProblem(e));
    }
  }

  /**
   * The parser's own words without its source excerpts: the YAML parser repeats "in reader, line …"
   * with the line and a caret under it, which the line and column already say.
   */
  private static String syntaxProblem(JacksonException e) {
    List<String> kept = new ArrayList<>();
    boolean excerpt = false;
    for (String line : String.valueOf(e.getOriginalMessage()).lines().toList()) {
      String text = line.strip();
      if (text.startsWith("in reader,")) {
        excerpt = true; // the next lines echo the source and put a caret under it
      } else if (text.equals("^")) {
        excerpt = false;
      } else if (!excerpt && !text.isEmpty() && !kept.contains(text)) {
        kept.add(text);
      }
    }
    return String.join("; ", kept);
  }

  private PolicyViolationException fail(String path, String problem) {
    TokenStreamLocation where = parser.currentTokenLocation();
    return failure.at(where.getLineNr(), where.getColumnNr(), path, problem);
  }

  private Node value(String path, int depth) {
    refuseYamlReferences(path);
    TokenStreamLocation where = parser.currentTokenLocation();
    int line = where.getLineNr();
    int column = where.getColumnNr();
    JsonToken token = parser.currentToken();
    if (token == null) {
      throw fail(path, "the document ends early");
    }
    return switch (token) {
      case START_OBJECT -> object(path, depth, line, column);
      case START_ARRAY -> array(path, depth, line, column);
      case VALUE_STRING -> new Text(parser.getString(), line, column);
      case VALUE_NUMBER_INT ->
          new Num(new BigDecimal(parser.getBigIntegerValue()), true, line, column);
      case VALUE_NUMBER_FLOAT -> new Num(decimal(path), false, line, column);
      case VALUE_TRUE -> new Bool(true, line, column);
      case VALUE_FALSE -> new Bool(false, line, column);
      case VALUE_NULL -> new Null(line, column);
      default -> throw fail(path, "unexpected " + token);
    };
  }

  private BigDecimal decimal(String path) {
    try {
      return parser.getDecimalValue();
    } catch (JacksonException | NumberFormatException e) {
      // YAML's .inf and .nan have no decimal value; no field here wants them
      throw fail(path, "'" + parser.getString() + "' is not a finite number");
    }
  }

  private void checkDepth(String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw fail(path, "nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private Obj object(String path, int depth, int line, int column) {
    checkDepth(path, depth);
    Map<String, Member> members = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
      refuseYamlReferences(path);
      String name = parser.currentName();
      TokenStreamLocation where = parser.currentTokenLocation();
      String memberPath = Members.child(path, name);
      if (members.containsKey(name)) {
        throw fail(memberPath, "duplicate member '" + name + "'");
      }
      parser.nextToken();
      Node value = value(memberPath, depth + 1);
      members.put(name, new Member(name, where.getLineNr(), where.getColumnNr(), value));
    }
    return new Obj(members, line, column);
  }

  private Arr array(String path, int depth, int line, int column) {
    checkDepth(path, depth);
    List<Node> items = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      items.add(value(path + "[" + items.size() + "]", depth + 1));
    }
    return new Arr(items, line, column);
  }

  /**
   * Jackson reports a YAML alias as a plain string holding the anchor's name, which would silently
   * change a value's meaning; anchors, aliases and explicit tags are refused outright, which also
   * rules out alias-expansion bombs. (Jackson does not report an anchor on a plain scalar; such an
   * anchor is inert, because the alias that would use it is refused.)
   */
  private void refuseYamlReferences(String path) {
    if (parser instanceof YAMLParser yaml) {
      if (yaml.isCurrentAlias()) {
        throw fail(path, "YAML aliases are not allowed");
      }
      if (yaml.getObjectId() != null) {
        throw fail(path, "YAML anchors are not allowed");
      }
      if (yaml.getTypeId() != null) {
        throw fail(path, "YAML tags are not allowed");
      }
    }
  }
}
