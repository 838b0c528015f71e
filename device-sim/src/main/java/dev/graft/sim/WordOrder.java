package dev.graft.sim;

/** How a 32-bit value is split over two 16-bit registers. */
public enum WordOrder {
  /** High word in the lower register address (the Modbus convention, and the default). */
  BIG,
  /** Low word first, as some PLCs do. */
  LITTLE
}
