/**
 * The simulated boiler plant: a deterministic physical model on its own simulated clock, and the
 * PLC memory (coils, holding registers, discrete inputs) the simulated devices expose. Free of
 * sockets, so tests can drive it step by step.
 */
@NullMarked
package dev.graft.sim.plant;

import org.jspecify.annotations.NullMarked;
