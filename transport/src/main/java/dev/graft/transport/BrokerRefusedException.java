package dev.graft.transport;

/**
 * The broker answered a PUBLISH or SUBSCRIBE with an MQTT 5 reason code of 0x80 or above. The code
 * and its name are in the message and in {@link #reasonCode()}.
 */
public final class BrokerRefusedException extends TransportException {
  private static final long serialVersionUID = 1L;

  private final int reasonCode;

  public BrokerRefusedException(String operation, String topic, int reasonCode) {
    super(
        "the broker refused "
            + operation
            + " to "
            + topic
            + " with reason code "
            + ReasonCodes.describe(reasonCode)
            + ReasonCodes.hint(reasonCode));
    this.reasonCode = reasonCode;
  }

  public int reasonCode() {
    return reasonCode;
  }
}
