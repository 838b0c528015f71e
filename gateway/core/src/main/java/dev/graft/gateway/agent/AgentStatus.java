package dev.graft.gateway.agent;

import dev.graft.gateway.agent.journal.ModuleRef;
import dev.graft.gateway.agent.journal.UpdateState;
import dev.graft.gateway.scan.ScanStats;
import java.util.Optional;
import java.util.Set;

/**
 * Where one agent stands: what the journal records, what runs, and what holds updates back. The
 * signed {@code status} report carries the same (without the scan statistics, which go in {@code
 * health}).
 *
 * @param running the module on the scan loop; differs from {@code installed} while one is watched,
 *     after an {@code alarm}, and is empty after {@code safe}
 * @param blocked why no update can be tried now (broker, expired metadata, clock), if so
 * @param alarm what needs an operator (a failed watch, a module that could not start), if anything
 */
public record AgentStatus(
    String gatewayId,
    Optional<ModuleRef> installed,
    Optional<ModuleRef> previous,
    Optional<ModuleRef> staged,
    Optional<ModuleRef> running,
    Optional<UpdateState> update,
    long releaseFloor,
    Optional<UpdateLock> lock,
    Optional<String> blocked,
    Optional<String> alarm,
    Set<String> failedHashes,
    Optional<AuditHead> auditHead,
    Optional<ScanStats> scan,
    boolean brokerConnected) {

  public AgentStatus {
    failedHashes = Set.copyOf(failedHashes);
  }

  /** The newest audit record: its number and hash. */
  public record AuditHead(long seq, String sha256) {}
}
