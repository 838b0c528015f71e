package dev.graft.gateway.field;

import dev.graft.policies.Grant;
import dev.graft.policies.ModbusTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Groups the addresses a device's points occupy into as few Modbus reads as the rules allow: one
 * read covers mapped addresses of one table, spans at most {@code maxGap} unmapped addresses
 * between two mapped ones, all of them inside the grant's readable ranges, and stays within the
 * protocol's per-request limit. A device that answers one read with an exception therefore only
 * spoils the points inside that read, and no read touches an address the operator did not grant.
 */
final class ReadPlan {
  /** Modbus allows 125 registers or 2000 bits per read request. */
  static final int MAX_REGISTERS = 125;

  static final int MAX_BITS = 2000;

  /** The addresses {@code start .. start + count - 1} of one table. */
  record Span(ModbusTable table, int start, int count) {
    int end() {
      return start + count - 1;
    }

    boolean covers(Span inner) {
      return inner.table == table && inner.start >= start && inner.end() <= end();
    }
  }

  private ReadPlan() {}

  /**
   * The reads that cover {@code mapped}, in table and address order; a gap between two mapped spans
   * is bridged only where every address in it lies in one of {@code granted}'s readable ranges.
   */
  static List<Span> plan(List<Span> mapped, int maxGap, List<Grant.ModbusRange> granted) {
    List<Span> sorted = new ArrayList<>(mapped);
    sorted.sort(Comparator.comparing(Span::table).thenComparingInt(Span::start));
    List<Span> reads = new ArrayList<>();
    Span current = null;
    for (Span span : sorted) {
      if (current != null
          && span.table() == current.table()
          && span.start() <= current.end() + 1 + maxGap
          && readable(span.table(), current.end() + 1, span.start() - 1, granted)) {
        int end = Math.max(current.end(), span.end());
        int limit = span.table().bits() ? MAX_BITS : MAX_REGISTERS;
        if (end - current.start() + 1 <= limit) {
          current = new Span(current.table(), current.start(), end - current.start() + 1);
          continue;
        }
      }
      if (current != null) {
        reads.add(current);
      }
      current = span;
    }
    if (current != null) {
      reads.add(current);
    }
    return reads;
  }

  /** Whether every address {@code from..to} of {@code table} may be read (true when empty). */
  private static boolean readable(
      ModbusTable table, int from, int to, List<Grant.ModbusRange> granted) {
    for (int address = from; address <= to; address++) {
      int a = address;
      if (granted.stream()
          .noneMatch(r -> r.table() == table && r.access().reads() && r.contains(a))) {
        return false;
      }
    }
    return true;
  }
}
