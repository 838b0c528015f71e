package dev.graft.sim.plant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlantTest {
  private static final PlantParameters NO_WATCHDOG =
      new PlantParameters(15.0, 20.0, 0.5, 0.004, 0.05, 12.0, 0.1, 60.0, true, 0);

  @Test
  void advance_sameSeedAndInputs_sameReadingsHoweverChunked() {
    Plant whole = new Plant(PlantParameters.DEFAULT, 42);
    Plant pieces = new Plant(PlantParameters.DEFAULT, 42);
    whole.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});
    pieces.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});

    whole.advance(Duration.ofSeconds(3));
    for (int i = 0; i < 300; i++) {
      pieces.advance(Duration.ofMillis(10));
    }

    assertThat(pieces.reading()).isEqualTo(whole.reading());
  }

  @Test
  void advance_otherSeed_otherNoise() {
    Plant one = new Plant(PlantParameters.DEFAULT, 1);
    Plant two = new Plant(PlantParameters.DEFAULT, 2);
    one.advance(Duration.ofSeconds(1));
    two.advance(Duration.ofSeconds(1));

    assertThat(one.temperatureC()).isEqualTo(two.temperatureC());
    assertThat(one.measuredTemperatureC()).isNotEqualTo(two.measuredTemperatureC());
  }

  @Test
  void advance_burnerOn_heatsAtTheModelsRate() {
    Plant plant = new Plant(NO_WATCHDOG, 7);
    plant.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});

    plant.advance(Duration.ofSeconds(60));

    // dT/dt = 0.5 − 0.004·(T − 15): from 20 °C, about +29.6 °C after a minute.
    double exact = 15 + (0.5 / 0.004) - (0.5 / 0.004 - 5) * Math.exp(-0.004 * 60);
    assertThat(plant.temperatureC()).isCloseTo(exact, within(0.1));
    assertThat(plant.measuredTemperatureC()).isCloseTo(plant.temperatureC(), within(0.5));
    assertThat(plant.simulatedTime()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void advance_burnerOff_coolsTowardsAmbient() {
    PlantParameters hot =
        new PlantParameters(15.0, 80.0, 0.5, 0.004, 0.0, 12.0, 0.0, 60.0, true, 0);
    Plant plant = new Plant(hot, 7);

    plant.advance(Duration.ofMinutes(10));

    double exact = 15 + 65 * Math.exp(-0.004 * 600);
    assertThat(plant.temperatureC()).isCloseTo(exact, within(0.1)).isLessThan(80.0);
    assertThat(plant.measuredTemperatureC()).isEqualTo(plant.temperatureC());
  }

  @Test
  void advance_lessThanOneStep_changesNothingUntilTheStepCompletes() {
    Plant plant = new Plant(NO_WATCHDOG, 7);
    plant.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});
    double before = plant.temperatureC();

    plant.advance(Duration.ofMillis(60));
    assertThat(plant.temperatureC()).isEqualTo(before);
    plant.advance(Duration.ofMillis(40));
    assertThat(plant.temperatureC()).isGreaterThan(before);
  }

  @Test
  void advance_negative_isRefused() {
    Plant plant = new Plant(NO_WATCHDOG, 7);
    assertThatThrownBy(() -> plant.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backwards");
  }

  @Test
  void watchdog_noWriteForTimeout_turnsBurnerOff() {
    Plant plant = new Plant(PlantParameters.DEFAULT, 7);
    plant.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});

    plant.advance(Duration.ofMillis(4900));
    assertThat(plant.burner()).isTrue();
    plant.advance(Duration.ofMillis(100));

    assertThat(plant.burner()).isFalse();
    assertThat(plant.reading().watchdogTrips()).isEqualTo(1);
  }

  @Test
  void watchdog_writesKeepComing_burnerStaysOn() {
    Plant plant = new Plant(PlantParameters.DEFAULT, 7);
    plant.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});

    for (int i = 0; i < 10; i++) {
      plant.advance(Duration.ofSeconds(4));
      plant.writeHoldingRegisters(0, new int[] {i});
    }

    assertThat(plant.burner()).isTrue();
    assertThat(plant.reading().watchdogTrips()).isZero();
  }

  @Test
  void watchdog_timeoutWrittenToHoldingRegister10_isUsed() {
    Plant plant = new Plant(PlantParameters.DEFAULT, 7);
    plant.writeHoldingRegisters(RegisterMap.WATCHDOG_HOLDING_REGISTER, new int[] {2});
    plant.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});

    plant.advance(Duration.ofSeconds(2));

    assertThat(plant.burner()).isFalse();
  }

  @Test
  void watchdog_zero_neverTrips() {
    Plant plant = new Plant(NO_WATCHDOG, 7);
    plant.writeCoils(RegisterMap.BURNER_COIL, new boolean[] {true});

    plant.advance(Duration.ofMinutes(5));

    assertThat(plant.burner()).isTrue();
  }

  @Test
  void reboot_forgetsCoilsAndRestoresHoldingRegisters() {
    Plant plant = new Plant(PlantParameters.DEFAULT, 7);
    plant.writeCoils(0, new boolean[] {true, true, true, true});
    plant.writeHoldingRegisters(RegisterMap.WATCHDOG_HOLDING_REGISTER, new int[] {30});
    plant.writeHoldingRegisters(4, new int[] {1234});

    plant.reboot();

    assertThat(plant.coils(0, RegisterMap.TABLE_SIZE)).containsOnly(false);
    assertThat(plant.holdingRegisters(RegisterMap.WATCHDOG_HOLDING_REGISTER, 1)).containsExactly(5);
    assertThat(plant.holdingRegisters(4, 1)).containsExactly(0);
    assertThat(plant.reading().updatePermit()).isTrue();
  }

  @Test
  void setSetpointC_changed_tellsListenersOnce() {
    Plant plant = new Plant(PlantParameters.DEFAULT, 7);
    List<Double> heard = new ArrayList<>();
    plant.onSetpointChange(heard::add);

    plant.setSetpointC(65.5);
    plant.setSetpointC(65.5);

    assertThat(plant.setpointC()).isEqualTo(65.5);
    assertThat(heard).containsExactly(65.5);
  }

  @Test
  void setSetpointC_outOfRange_isRefusedAndChangesNothing() {
    Plant plant = new Plant(PlantParameters.DEFAULT, 7);

    assertThatThrownBy(() -> plant.setSetpointC(500))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("500.0 °C is outside");
    assertThatThrownBy(() -> plant.setSetpointC(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(plant.setpointC()).isEqualTo(60.0);
  }

  @Test
  void writeHoldingRegisters_keepsSixteenBits() {
    Plant plant = new Plant(PlantParameters.DEFAULT, 7);
    plant.writeHoldingRegisters(1, new int[] {0x1_2345});
    assertThat(plant.holdingRegisters(1, 1)).containsExactly(0x2345);
  }

  @Test
  void setUpdatePermit_off_showsInReading() {
    Plant plant = new Plant(PlantParameters.DEFAULT, 7);
    plant.setUpdatePermit(false);
    assertThat(plant.reading().updatePermit()).isFalse();
    assertThat(plant.discreteInputs(RegisterMap.UPDATE_PERMIT_DISCRETE_INPUT, 1))
        .containsExactly(false);
  }
}
