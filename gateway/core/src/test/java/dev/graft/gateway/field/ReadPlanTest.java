package dev.graft.gateway.field;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.gateway.field.ReadPlan.Span;
import dev.graft.policies.Grant;
import dev.graft.policies.ModbusTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadPlanTest {
  private static final ModbusTable IR = ModbusTable.INPUT_REGISTER;
  private static final List<Grant.ModbusRange> ALL =
      List.of(
          new Grant.ModbusRange(IR, 0, 65_535, Grant.Access.READ),
          new Grant.ModbusRange(ModbusTable.HOLDING_REGISTER, 0, 65_535, Grant.Access.READ));

  @Test
  void plan_contiguousPoints_oneRead() {
    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 1, 2), new Span(IR, 0, 1)), 0, ALL);

    assertThat(reads).containsExactly(new Span(IR, 0, 3));
  }

  @Test
  void plan_oneUnmappedAddressAndNoGapAllowed_twoReads() {
    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 2, 2), new Span(IR, 0, 1)), 0, ALL);

    assertThat(reads).containsExactly(new Span(IR, 0, 1), new Span(IR, 2, 2));
  }

  @Test
  void plan_gapWithinLimit_joinsAcrossIt() {
    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 0, 1), new Span(IR, 5, 1)), 4, ALL);

    assertThat(reads).containsExactly(new Span(IR, 0, 6));
  }

  @Test
  void plan_gapNotGranted_neverBridged() {
    List<Grant.ModbusRange> granted =
        List.of(
            new Grant.ModbusRange(IR, 0, 0, Grant.Access.READ),
            new Grant.ModbusRange(IR, 5, 5, Grant.Access.READ));

    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 0, 1), new Span(IR, 5, 1)), 8, granted);

    assertThat(reads).containsExactly(new Span(IR, 0, 1), new Span(IR, 5, 1));
  }

  @Test
  void plan_gapGrantedWriteOnlyOrInAnotherTable_neverBridged() {
    List<Grant.ModbusRange> granted =
        List.of(
            new Grant.ModbusRange(IR, 0, 0, Grant.Access.READ),
            new Grant.ModbusRange(IR, 1, 4, Grant.Access.WRITE),
            new Grant.ModbusRange(ModbusTable.HOLDING_REGISTER, 0, 10, Grant.Access.READ),
            new Grant.ModbusRange(IR, 5, 5, Grant.Access.READ));

    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 0, 1), new Span(IR, 5, 1)), 8, granted);

    assertThat(reads).containsExactly(new Span(IR, 0, 1), new Span(IR, 5, 1));
  }

  @Test
  void plan_gapGrantedBySeveralRanges_bridged() {
    List<Grant.ModbusRange> granted =
        List.of(
            new Grant.ModbusRange(IR, 0, 2, Grant.Access.READ),
            new Grant.ModbusRange(IR, 3, 5, Grant.Access.READ_WRITE));

    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 0, 1), new Span(IR, 5, 1)), 8, granted);

    assertThat(reads).containsExactly(new Span(IR, 0, 6));
  }

  @Test
  void plan_gapWiderThanLimit_splits() {
    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 0, 1), new Span(IR, 6, 1)), 4, ALL);

    assertThat(reads).containsExactly(new Span(IR, 0, 1), new Span(IR, 6, 1));
  }

  @Test
  void plan_differentTables_neverJoined() {
    List<Span> reads =
        ReadPlan.plan(
            List.of(new Span(ModbusTable.HOLDING_REGISTER, 1, 1), new Span(IR, 0, 1)), 10, ALL);

    assertThat(reads).hasSize(2);
  }

  @Test
  void plan_overlappingPoints_coveredOnce() {
    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 0, 2), new Span(IR, 1, 2)), 0, ALL);

    assertThat(reads).containsExactly(new Span(IR, 0, 3));
  }

  @Test
  void plan_rangeBeyondProtocolLimit_splitsAt125Registers() {
    List<Span> reads = ReadPlan.plan(List.of(new Span(IR, 0, 100), new Span(IR, 100, 100)), 0, ALL);

    assertThat(reads).containsExactly(new Span(IR, 0, 100), new Span(IR, 100, 100));
  }
}
