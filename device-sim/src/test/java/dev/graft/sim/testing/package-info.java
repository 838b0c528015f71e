/** Test fixtures shared with the end-to-end tests through device-sim's test jar. */
@NullMarked
package dev.graft.sim.testing;

import org.jspecify.annotations.NullMarked;
