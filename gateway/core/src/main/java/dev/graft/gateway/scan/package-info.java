/**
 * The scan cycle: a fixed-rate tick schedule on one dedicated thread that runs the active control
 * logic against the field's latest snapshot, and switches to a prepared successor between two
 * ticks.
 */
@NullMarked
package dev.graft.gateway.scan;

import org.jspecify.annotations.NullMarked;
