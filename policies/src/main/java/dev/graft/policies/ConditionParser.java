package dev.graft.policies;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Recursive descent over {@code or := and ('or' and)*; and := cmp ('and' cmp)*}. */
final class ConditionParser {
  private static final int MAX_LENGTH = 1024;

  private final String text;
  private int pos;

  ConditionParser(String text) {
    this.text = text;
  }

  Condition parse() {
    if (text.length() > MAX_LENGTH) {
      throw new PolicyViolationException("longer than " + MAX_LENGTH + " characters");
    }
    Condition result = any();
    skipSpace();
    if (pos < text.length()) {
      throw error("expected 'and', 'or' or the end");
    }
    return result;
  }

  private Condition any() {
    List<Condition> terms = new ArrayList<>();
    terms.add(all());
    while (keyword("or")) {
      terms.add(all());
    }
    return terms.size() == 1 ? terms.getFirst() : new Condition.Any(terms);
  }

  private Condition all() {
    List<Condition> terms = new ArrayList<>();
    terms.add(comparison());
    while (keyword("and")) {
      terms.add(comparison());
    }
    return terms.size() == 1 ? terms.getFirst() : new Condition.All(terms);
  }

  private Condition.Comparison comparison() {
    skipSpace();
    int start = pos;
    if (pos < text.length() && isNameStart(text.charAt(pos))) {
      pos++;
      while (pos < text.length() && isNamePart(text.charAt(pos))) {
        pos++;
      }
    }
    if (start == pos) {
      throw error("expected a point name");
    }
    String point = text.substring(start, pos);
    if (point.equals("and") || point.equals("or")) {
      pos = start;
      throw error("expected a point name, not '" + point + "'");
    }
    return new Condition.Comparison(point, operator(), number());
  }

  private Condition.Operator operator() {
    skipSpace();
    // two-character operators first, so "<=" is not read as "<"
    for (String symbol : List.of("==", "!=", "<=", ">=", "<", ">")) {
      if (text.startsWith(symbol, pos)) {
        pos += symbol.length();
        for (Condition.Operator op : Condition.Operator.values()) {
          if (op.symbol().equals(symbol)) {
            return op;
          }
        }
      }
    }
    throw error("expected one of == != < <= > >=");
  }

  private BigDecimal number() {
    skipSpace();
    int start = pos;
    if (pos < text.length() && text.charAt(pos) == '-') {
      pos++;
    }
    int digits = pos;
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    if (pos < text.length() && text.charAt(pos) == '.') {
      pos++;
      int fraction = pos;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      if (fraction == pos) {
        pos = start;
        throw error("expected a number");
      }
    }
    if (digits == pos || (pos < text.length() && isNamePart(text.charAt(pos)))) {
      pos = start;
      throw error("expected a number");
    }
    return new BigDecimal(text.substring(start, pos));
  }

  private boolean keyword(String word) {
    skipSpace();
    int end = pos + word.length();
    if (text.startsWith(word, pos) && (end == text.length() || !isNamePart(text.charAt(end)))) {
      pos = end;
      return true;
    }
    return false;
  }

  private void skipSpace() {
    while (pos < text.length() && text.charAt(pos) == ' ') {
      pos++;
    }
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }

  private PolicyViolationException error(String problem) {
    return new PolicyViolationException("at character " + (pos + 1) + ": " + problem);
  }
}
