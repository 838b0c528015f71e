/**
 * The control-logic runtime: loads a validated {@code graft/1} WebAssembly module, compiles it once
 * per SHA-256, and runs its ticks on a worker thread under the grant's budget, containing traps,
 * overruns and memory or stack exhaustion by discarding the tick and replacing the instance.
 */
@NullMarked
package dev.graft.gateway.runtime;

import org.jspecify.annotations.NullMarked;
