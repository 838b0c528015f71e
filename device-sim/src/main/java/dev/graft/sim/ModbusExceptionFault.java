package dev.graft.sim;

/**
 * Requests touching {@code count} entries of {@code table} from {@code address} on are answered
 * with Modbus exception {@code exceptionCode} instead of data.
 */
public record ModbusExceptionFault(RegisterTable table, int address, int count, int exceptionCode) {
  public ModbusExceptionFault {
    if (address < 0 || address > 0xFFFF || count < 1 || address + count > 0x10000) {
      throw new IllegalArgumentException(
          "exception range " + address + "+" + count + " is not within the 0..65535 address space");
    }
    if (exceptionCode < 1 || exceptionCode > 0xFF) {
      throw new IllegalArgumentException(
          "Modbus exception code " + exceptionCode + " must be between 1 and 255");
    }
  }

  /** Whether a request for {@code requestCount} entries at {@code requestAddress} overlaps. */
  public boolean hits(RegisterTable requestTable, int requestAddress, int requestCount) {
    return requestTable == table
        && requestAddress < address + count
        && address < requestAddress + requestCount;
  }
}
