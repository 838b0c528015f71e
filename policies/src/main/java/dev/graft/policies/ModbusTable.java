package dev.graft.policies;

import java.util.Locale;

/** The four Modbus data tables; coils and holding registers are the only writable ones. */
public enum ModbusTable {
  COIL,
  DISCRETE_INPUT,
  INPUT_REGISTER,
  HOLDING_REGISTER;

  /** The name used in manifests and grants. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean writable() {
    return this == COIL || this == HOLDING_REGISTER;
  }

  /** Coils and discrete inputs hold bits; the other two hold 16-bit registers. */
  public boolean bits() {
    return this == COIL || this == DISCRETE_INPUT;
  }

  /** Plural for messages ("the grant allows coils 0–2"). */
  String plural() {
    return wire().replace('_', ' ') + "s";
  }

  String singular() {
    return wire().replace('_', ' ');
  }
}
