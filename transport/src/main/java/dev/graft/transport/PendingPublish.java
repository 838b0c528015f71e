package dev.graft.transport;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;

/** A QoS 1 publish on its way; {@link #await()} waits for its PUBACK and checks the reason code. */
public final class PendingPublish {
  private final MqttConnection connection;
  private final String topic;
  private final IMqttToken token;

  PendingPublish(MqttConnection connection, String topic, IMqttToken token) {
    this.connection = connection;
    this.topic = topic;
    this.token = token;
  }

  public String topic() {
    return topic;
  }

  /**
   * Waits for the PUBACK. 0x00 and 0x10 ("no matching subscribers", normal for a retained message
   * nobody reads yet) are success.
   *
   * @return the PUBACK reason code
   * @throws BrokerRefusedException for a reason code of 0x80 or above
   * @throws TransportException when no PUBACK arrives within the operation timeout
   */
  public int await() {
    try {
      token.waitForCompletion(connection.timeoutMillis());
    } catch (MqttException e) {
      int code = e.getReasonCode();
      if (code > 0 && code < 256 && ReasonCodes.isFailure(code)) {
        throw new BrokerRefusedException("a publish", topic, code);
      }
      throw new TransportException("no PUBACK for " + topic + ": " + MqttConnection.describe(e), e);
    }
    if (!token.isComplete()) {
      throw new TransportException(
          "no PUBACK for " + topic + " within " + connection.timeoutMillis() + " ms");
    }
    int[] codes = token.getReasonCodes();
    int code = codes == null || codes.length == 0 ? ReasonCodes.SUCCESS : codes[0];
    if (ReasonCodes.isFailure(code)) {
      throw new BrokerRefusedException("a publish", topic, code);
    }
    return code;
  }
}
