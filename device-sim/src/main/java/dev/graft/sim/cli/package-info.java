/** The {@code device-sim} command line (picocli): starts a simulated site and reports on it. */
@NullMarked
package dev.graft.sim.cli;

import org.jspecify.annotations.NullMarked;
