/**
 * The update agent's durable journal: the pipeline state, the installed, previous and staged
 * modules, the release and time floors, failed hashes and the report counter, written in one
 * transaction before each transition takes effect.
 */
@NullMarked
package dev.graft.gateway.agent.journal;

import org.jspecify.annotations.NullMarked;
