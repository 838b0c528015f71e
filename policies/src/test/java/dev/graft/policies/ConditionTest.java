package dev.graft.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.policies.Condition.All;
import dev.graft.policies.Condition.Any;
import dev.graft.policies.Condition.Comparison;
import dev.graft.policies.Condition.Operator;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConditionTest {

  @Test
  void parse_designExample_readsBothComparisons() {
    assertThat(Condition.parse("burner == 0 and temp < 80"))
        .isEqualTo(
            new All(
                List.of(
                    new Comparison("burner", Operator.EQ, BigDecimal.ZERO),
                    new Comparison("temp", Operator.LT, new BigDecimal("80")))));
  }

  @Test
  void parse_andBindsTighterThanOr() {
    Condition condition = Condition.parse("a == 1 or b == 2 and c == 3");

    assertThat(condition).isInstanceOf(Any.class);
    assertThat(((Any) condition).terms().get(1)).isInstanceOf(All.class);
    assertThat(condition).hasToString("a == 1 or b == 2 and c == 3");
    assertThat(condition.points()).containsExactly("a", "b", "c");
  }

  @Test
  void parse_everyOperatorAndSignedDecimals() {
    assertThat(Condition.parse("x<=-1.5 and y>=2 and z!=0 and w>3 and v<4"))
        .hasToString("x <= -1.5 and y >= 2 and z != 0 and w > 3 and v < 4");
  }

  @Test
  void parse_syntaxErrors_nameTheCharacter() {
    assertThatThrownBy(() -> Condition.parse("temp < "))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessage("at character 8: expected a number");
    assertThatThrownBy(() -> Condition.parse("temp = 1"))
        .hasMessage("at character 6: expected one of == != < <= > >=");
    assertThatThrownBy(() -> Condition.parse("temp < 1 xor b < 2"))
        .hasMessage("at character 10: expected 'and', 'or' or the end");
    assertThatThrownBy(() -> Condition.parse("temp < 1 and"))
        .hasMessage("at character 13: expected a point name");
    assertThatThrownBy(() -> Condition.parse("and < 1"))
        .hasMessage("at character 1: expected a point name, not 'and'");
    assertThatThrownBy(() -> Condition.parse("temp < 1."))
        .hasMessage("at character 8: expected a number");
    assertThatThrownBy(() -> Condition.parse("temp < 1e3"))
        .hasMessage("at character 8: expected a number");
    assertThatThrownBy(() -> Condition.parse("(temp < 1)"))
        .hasMessage("at character 1: expected a point name");
  }

  @Test
  void operator_test_comparesAsDeclared() {
    assertThat(Operator.LE.test(1, 1)).isTrue();
    assertThat(Operator.LT.test(1, 1)).isFalse();
    assertThat(Operator.NE.test(1, 2)).isTrue();
    assertThat(Operator.GE.test(0, 1)).isFalse();
  }

  private static Function<String, OptionalDouble> values(Map<String, Double> known) {
    return name ->
        known.containsKey(name) ? OptionalDouble.of(known.get(name)) : OptionalDouble.empty();
  }

  @Test
  void holds_designExample_trueOnlyWhenBothComparisonsHold() {
    Condition condition = Condition.parse("burner == 0 and temp < 80");

    assertThat(condition.holds(values(Map.of("burner", 0.0, "temp", 79.5)))).isTrue();
    assertThat(condition.holds(values(Map.of("burner", 1.0, "temp", 79.5)))).isFalse();
    assertThat(condition.holds(values(Map.of("burner", 0.0, "temp", 80.0)))).isFalse();
  }

  @Test
  void holds_everyOperator_comparesAgainstTheDecimal() {
    Function<String, OptionalDouble> x = values(Map.of("x", -1.5));

    assertThat(Condition.parse("x == -1.5").holds(x)).isTrue();
    assertThat(Condition.parse("x != -1.5").holds(x)).isFalse();
    assertThat(Condition.parse("x <= -1.5").holds(x)).isTrue();
    assertThat(Condition.parse("x < -1.5").holds(x)).isFalse();
    assertThat(Condition.parse("x >= -1.5").holds(x)).isTrue();
    assertThat(Condition.parse("x > -2").holds(x)).isTrue();
    assertThat(Condition.parse("x > -1").holds(x)).isFalse();
  }

  @Test
  void holds_orOfTerms_trueWhenAnyTermHolds() {
    Condition condition = Condition.parse("a == 1 or b == 2 and c == 3");

    assertThat(condition.holds(values(Map.of("a", 1.0)))).isTrue();
    assertThat(condition.holds(values(Map.of("a", 0.0, "b", 2.0, "c", 3.0)))).isTrue();
    assertThat(condition.holds(values(Map.of("a", 0.0, "b", 2.0, "c", 4.0)))).isFalse();
  }

  @Test
  void holds_unknownOrUnreadablePoint_denies() {
    // != would be true for any readable value; an unreadable one must not permit a swap
    assertThat(Condition.parse("temp != 5").holds(values(Map.of()))).isFalse();
    assertThat(Condition.parse("temp != 5").holds(values(Map.of("temp", Double.NaN)))).isFalse();
    assertThat(Condition.parse("temp != 5").holds(values(Map.of("temp", 4.0)))).isTrue();
  }
}
