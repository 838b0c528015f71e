package dev.graft.bundle.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathPatternTest {
  @ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
  @CsvSource(
      delimiter = '|',
      emptyValue = "",
      value = {
        "apps/*          | apps/x.graft        | true",
        "apps/*          | apps/sub/x.graft    | false",
        "apps/*          | apps                | false",
        "apps/*          | apps/               | true",
        "*               | x.graft             | true",
        "*               | a/b                 | false",
        "*               | ''                  | true",
        "*/*             | a/b                 | true",
        "*/*             | a/b/c               | false",
        "**              | a/b                 | false",
        "a/*/c           | a/b/c               | true",
        "a/*/c           | a/b/d/c             | false",
        "*.graft         | x.graft             | true",
        "*.graft         | x.graft.sig         | false",
        "a/?.graft       | a/b.graft           | true",
        "a/?.graft       | a/bc.graft          | false",
        "a/?.graft       | a//graft            | false",
        "*ab             | aab                 | true",
        "a*b*c           | axxbyyc             | true",
        "a*b*c           | axxbyy              | false",
        "a*b*c           | abcbc               | true",
        "exact/path      | exact/path          | true",
        "exact/path      | exact/path2         | false",
        "Apps/*          | apps/x              | false",
        "[ab]            | a                   | false",
        "[ab]            | [ab]                | true",
        "''              | ''                  | true",
        "''              | a                   | false",
      })
  void matches_table_asExpected(String pattern, String path, boolean expected) {
    assertThat(PathPattern.matches(pattern, path)).isEqualTo(expected);
  }

  @Test
  void matches_manyStarsAgainstLongNonMatchingPart_finishesQuickly() {
    String pattern = "a*a*a*a*a*a*a*a*a*a*b";
    String path = "a".repeat(20_000);

    boolean matched =
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> PathPattern.matches(pattern, path));

    assertThat(matched).isFalse();
  }
}
