package dev.graft.policies;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The grant's small expression language for {@code swap_when} and {@code watch.expect}: comparisons
 * of a point with a number, joined by {@code and} (binding tighter) and {@code or}, as in {@code
 * burner == 0 and temp < 80}. There are no parentheses, functions or arithmetic, so an expression
 * is cheap to evaluate inside a tick and easy for an operator to read.
 */
public sealed interface Condition {

  enum Operator {
    EQ("=="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public boolean test(double left, double right) {
      return switch (this) {
        case EQ -> left == right;
        case NE -> left != right;
        case LT -> left < right;
        case LE -> left <= right;
        case GT -> left > right;
        case GE -> left >= right;
      };
    }
  }

  record Comparison(String point, Operator operator, BigDecimal value) implements Condition {
    @Override
    public String toString() {
      return point + " " + operator.symbol() + " " + value.toPlainString();
    }
  }

  record All(List<Condition> terms) implements Condition {
    public All {
      terms = List.copyOf(terms);
    }

    @Override
    public String toString() {
      return terms.stream().map(Condition::toString).collect(Collectors.joining(" and "));
    }
  }

  record Any(List<Condition> terms) implements Condition {
    public Any {
      terms = List.copyOf(terms);
    }

    @Override
    public String toString() {
      return terms.stream().map(Condition::toString).collect(Collectors.joining(" or "));
    }
  }

  /** The point names the condition reads, for checking them against a manifest. */
  default Set<String> points() {
    Set<String> names = new LinkedHashSet<>();
    visit(this, c -> names.add(c.point()));
    return Collections.unmodifiableSet(names);
  }

  /**
   * Evaluates the condition on the current point values. {@code values} answers a point's value, or
   * empty when the point is unknown or its quality is not good; a comparison of such a point (or of
   * NaN) is false, whatever its operator, so a condition on a point nobody can read denies rather
   * than permits. {@code and} and {@code or} combine the comparisons as usual.
   */
  default boolean holds(Function<String, OptionalDouble> values) {
    return switch (this) {
      case Comparison c -> {
        OptionalDouble value = values.apply(c.point());
        yield value.isPresent()
            && !Double.isNaN(value.getAsDouble())
            && c.operator().test(value.getAsDouble(), c.value().doubleValue());
      }
      case All all -> {
        for (Condition term : all.terms()) {
          if (!term.holds(values)) {
            yield false;
          }
        }
        yield true;
      }
      case Any any -> {
        for (Condition term : any.terms()) {
          if (term.holds(values)) {
            yield true;
          }
        }
        yield false;
      }
    };
  }

  private static void visit(Condition condition, Consumer<Comparison> action) {
    switch (condition) {
      case Comparison c -> action.accept(c);
      case All all -> all.terms().forEach(t -> visit(t, action));
      case Any any -> any.terms().forEach(t -> visit(t, action));
    }
  }

  /**
   * Parses an expression; a syntax error names the 1-based character where it was found.
   *
   * @throws PolicyViolationException if the text is not a condition
   */
  static Condition parse(String text) {
    return new ConditionParser(text).parse();
  }
}
