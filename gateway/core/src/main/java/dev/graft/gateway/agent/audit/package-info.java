/**
 * The gateway's audit log outside the journal: the export that {@code graft audit verify} checks.
 */
@NullMarked
package dev.graft.gateway.agent.audit;

import org.jspecify.annotations.NullMarked;
