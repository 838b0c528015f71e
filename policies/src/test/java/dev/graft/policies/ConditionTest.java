package dev.graft.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.policies.Condition.All;
import dev.graft.policies.Condition.Any;
import dev.graft.policies.Condition.Comparison;
import dev.graft.policies.Condition.Operator;
import java.math.BigDecimal;
import java.util.List;
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
}
