package dev.graft.gateway.agent.report;

/**
 * Where a {@link ReportSigner} keeps its counter across restarts. The gateway's journal implements
 * it; the signer only needs the last value and a durable way to move it forward.
 */
public interface ReportCounter {
  /** The last counter handed out, or 0 when none ever was. */
  long last();

  /**
   * Makes {@code counter} the last one durably before it returns: the signer calls this before it
   * signs, so a crash after publishing can never hand the same counter out twice.
   */
  void advanceTo(long counter);
}
