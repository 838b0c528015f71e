/**
 * Signed gateway reports ({@code status}, {@code events}, {@code health}): the gateway signs them
 * with its identity key and a strictly increasing counter, and the rollout service verifies them
 * with {@link dev.graft.gateway.agent.report.ReportVerifier} so forged and replayed reports are
 * refused.
 */
@NullMarked
package dev.graft.gateway.agent.report;

import org.jspecify.annotations.NullMarked;
