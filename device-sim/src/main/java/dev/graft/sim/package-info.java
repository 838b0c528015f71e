/**
 * A simulated field site for tests and demos: a Modbus TCP boiler PLC and a CoAP thermostat over
 * one deterministic plant model, with switches for the faults real field devices have. Start one
 * with {@link dev.graft.sim.SimulatedSite#start}.
 */
@NullMarked
package dev.graft.sim;

import org.jspecify.annotations.NullMarked;
