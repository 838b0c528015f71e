package dev.graft.policies;

import dev.graft.policies.Document.Arr;
import dev.graft.policies.Document.Bool;
import dev.graft.policies.Document.Member;
import dev.graft.policies.Document.Node;
import dev.graft.policies.Document.Num;
import dev.graft.policies.Document.Obj;
import dev.graft.policies.Document.Text;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the members of one object strictly: every member asked for is typed, every member not asked
 * for is refused by {@link #done()}, and every refusal carries line, column and path.
 */
final class Members {
  private final Obj object;
  private final String path;
  private final Document.Failure failure;
  private final Set<String> known = new LinkedHashSet<>();

  private Members(Obj object, String path, Document.Failure failure) {
    this.object = object;
    this.path = path;
    this.failure = failure;
  }

  static Members of(Node node, String path, Document.Failure failure) {
    if (!(node instanceof Obj object)) {
      throw failure.at(node.line(), node.column(), path, "must be an object, not " + node.kind());
    }
    return new Members(object, path, failure);
  }

  static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  String path() {
    return path;
  }

  String path(String name) {
    return child(path, name);
  }

  Document.Failure failure() {
    return failure;
  }

  PolicyViolationException fail(String problem) {
    return failure.at(object.line(), object.column(), path, problem);
  }

  PolicyViolationException fail(String name, String problem) {
    Member member = object.members().get(name);
    if (member == null) {
      return fail(problem);
    }
    return failure.at(member.value().line(), member.value().column(), path(name), problem);
  }

  static PolicyViolationException fail(
      Node node, String path, Document.Failure failure, String problem) {
    return failure.at(node.line(), node.column(), path, problem);
  }

  boolean has(String name) {
    known.add(name);
    return object.members().containsKey(name);
  }

  Optional<Node> optional(String name) {
    known.add(name);
    Member member = object.members().get(name);
    return member == null ? Optional.empty() : Optional.of(member.value());
  }

  Node required(String name) {
    return optional(name)
        .orElseThrow(() -> {
          // A misspelt member is the usual cause: point at it rather than at the object.
          for (Member member : object.members().values()) {
            if (!known.contains(member.name()) && similar(member.name(), name)) {
              return failure.at(
                  member.line(),
                  member.column(),
                  path(member.name()),
                  "unknown member '"
                      + member.name()
                      + "'; did you mean '"
                      + name
                      + "'? (missing required member '"
                      + name
                      + "')");
            }
          }
          return fail("missing required member '" + name + "'");
        });
  }

  /**
   * Whether {@code typed} looks like a misspelling of {@code name}: the same once case, '_' and '-'
   * are ignored, or at most two edits apart (one for short names).
   */
  static boolean similar(String typed, String name) {
    String a = typed.toLowerCase(java.util.Locale.ROOT).replaceAll("[_-]", "");
    String b = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[_-]", "");
    if (a.equals(b)) {
      return true;
    }
    int allowed = Math.min(2, Math.max(1, name.length() / 4));
    return distance(a, b) <= allowed;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  String text(String name) {
    return text(required(name), path(name), failure);
  }

  Optional<String> optionalText(String name) {
    return optional(name).map(node -> text(node, path(name), failure));
  }

  static String text(Node node, String path, Document.Failure failure) {
    if (!(node instanceof Text text)) {
      throw fail(node, path, failure, "must be a string, not " + node.kind());
    }
    if (text.value().isBlank()) {
      throw fail(node, path, failure, "must not be empty");
    }
    return text.value();
  }

  long integer(String name, long min, long max) {
    return integer(required(name), path(name), failure, min, max);
  }

  long optionalInteger(String name, long fallback, long min, long max) {
    return optional(name)
        .map(node -> integer(node, path(name), failure, min, max))
        .orElse(fallback);
  }

  static long integer(Node node, String path, Document.Failure failure, long min, long max) {
    if (!(node instanceof Num number) || !number.integral()) {
      throw fail(node, path, failure, "must be an integer, not " + describe(node));
    }
    BigDecimal value = number.value();
    if (value.compareTo(BigDecimal.valueOf(min)) < 0
        || value.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw fail(node, path, failure, value.toPlainString() + " is outside " + min + "–" + max);
    }
    return value.longValueExact();
  }

  BigDecimal decimal(String name) {
    return decimal(required(name), path(name), failure);
  }

  Optional<BigDecimal> optionalDecimal(String name) {
    return optional(name).map(node -> decimal(node, path(name), failure));
  }

  static BigDecimal decimal(Node node, String path, Document.Failure failure) {
    if (!(node instanceof Num number)) {
      throw fail(node, path, failure, "must be a number, not " + describe(node));
    }
    return number.value();
  }

  boolean optionalBool(String name, boolean fallback) {
    return optional(name)
        .map(node -> {
          if (!(node instanceof Bool bool)) {
            throw fail(node, path(name), failure, "must be true or false, not " + describe(node));
          }
          return bool.value();
        })
        .orElse(fallback);
  }

  <E extends Enum<E>> E choice(String name, E[] values, Function<E, String> wire) {
    return choice(required(name), path(name), failure, values, wire);
  }

  <E extends Enum<E>> Optional<E> optionalChoice(
      String name, E[] values, Function<E, String> wire) {
    return optional(name).map(node -> choice(node, path(name), failure, values, wire));
  }

  static <E extends Enum<E>> E choice(
      Node node, String path, Document.Failure failure, E[] values, Function<E, String> wire) {
    String allowed = Arrays.stream(values).map(wire).collect(Collectors.joining(", "));
    if (!(node instanceof Text text)) {
      throw fail(node, path, failure, "must be one of " + allowed + ", not " + describe(node));
    }
    for (E value : values) {
      if (wire.apply(value).equals(text.value())) {
        return value;
      }
    }
    throw fail(node, path, failure, "'" + text.value() + "' is not one of " + allowed);
  }

  Members object(String name) {
    return of(required(name), path(name), failure);
  }

  Optional<Members> optionalObject(String name) {
    return optional(name).map(node -> of(node, path(name), failure));
  }

  /** The items of an array member, each with its own path ({@code points[2]}). */
  List<Item> array(String name) {
    return array(required(name), path(name), failure);
  }

  List<Item> optionalArray(String name) {
    return optional(name).map(node -> array(node, path(name), failure)).orElse(List.of());
  }

  static List<Item> array(Node node, String path, Document.Failure failure) {
    if (!(node instanceof Arr array)) {
      throw fail(node, path, failure, "must be an array, not " + node.kind());
    }
    List<Item> items = new ArrayList<>();
    for (Node item : array.items()) {
      items.add(new Item(item, path + "[" + items.size() + "]"));
    }
    return List.copyOf(items);
  }

  /** The members of this object, in document order, as name/value pairs (for maps by name). */
  List<Item> entries() {
    List<Item> entries = new ArrayList<>();
    for (Member member : object.members().values()) {
      known.add(member.name());
      entries.add(new Item(member.value(), path(member.name()), member.name()));
    }
    return List.copyOf(entries);
  }

  /** Refuses every member that was never asked for; call after reading all known members. */
  void done() {
    for (Member member : object.members().values()) {
      if (!known.contains(member.name())) {
        throw failure.at(
            member.line(),
            member.column(),
            path(member.name()),
            "unknown member '"
                + member.name()
                + "'; "
                + known.stream()
                    .filter(k -> !object.members().containsKey(k) && similar(member.name(), k))
                    .findFirst()
                    .map(k -> "did you mean '" + k + "'? ")
                    .orElse("")
                + "allowed: "
                + String.join(", ", known));
      }
    }
  }

  private static String describe(Node node) {
    return switch (node) {
      case Text text -> "the string '" + text.value() + "'";
      case Num number -> number.value().toPlainString();
      case Bool bool -> String.valueOf(bool.value());
      default -> node.kind();
    };
  }

  /** One value inside an array or map, with its path. */
  record Item(Node node, String path, String key) {
    Item(Node node, String path) {
      this(node, path, "");
    }

    Members members(Document.Failure failure) {
      return of(node, path, failure);
    }
  }
}
