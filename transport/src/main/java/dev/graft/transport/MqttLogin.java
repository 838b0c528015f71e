package dev.graft.transport;

/**
 * A user name and password for brokers that authenticate with them (MQTT CONNECT), instead of or
 * beside a TLS client certificate. The password is held as a char array, copied in and out, and
 * never printed.
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; never compared, never printed
public record MqttLogin(String username, char[] password) {
  public MqttLogin {
    if (username.isEmpty() || username.length() > 256) {
      throw new IllegalArgumentException("MQTT user name must be 1 to 256 characters");
    }
    password = password.clone();
  }

  @Override
  public char[] password() {
    return password.clone();
  }

  @Override
  public String toString() {
    return "MqttLogin[username=" + username + "]";
  }
}
