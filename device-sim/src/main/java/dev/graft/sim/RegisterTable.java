package dev.graft.sim;

/** The four Modbus data tables. */
public enum RegisterTable {
  COIL,
  DISCRETE_INPUT,
  INPUT_REGISTER,
  HOLDING_REGISTER
}
