package dev.graft.transport;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How to reach a broker. {@code mqtt://host:port} or {@code mqtts://host:port} (TLS, which needs
 * {@link #tls}).
 *
 * @param broker the broker URI
 * @param clientId the MQTT client id; empty picks a random one (fine with a clean start)
 * @param cleanStart false keeps the session (subscriptions, queued QoS 1 messages) across
 *     reconnects for {@link #sessionExpiry}
 * @param sessionExpiry how long the broker keeps a session after a disconnect
 * @param connectTimeout the deadline to establish a connection
 * @param operationTimeout the deadline for one acknowledgement (SUBACK, PUBACK, UNSUBACK)
 * @param keepAlive the MQTT keep-alive interval
 * @param maxPacketSize the largest packet this client accepts; sent to the broker in CONNECT, which
 *     then never sends a bigger one — the bound on what one message can make the client buffer
 * @param tls TLS settings, required for {@code mqtts://}
 * @param login user name and password, for brokers that ask for them
 * @param will the Last Will the broker publishes when this client's connection ends without a
 *     normal DISCONNECT (network loss, keep-alive timeout, crash)
 */
public record MqttOptions(
    URI broker,
    String clientId,
    boolean cleanStart,
    Duration sessionExpiry,
    Duration connectTimeout,
    Duration operationTimeout,
    Duration keepAlive,
    long maxPacketSize,
    Optional<TlsOptions> tls,
    Optional<MqttLogin> login,
    Optional<Will> will) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofHours(1);

  /** Room for a 1 MiB chunk (the largest chunk size) or an 8 MiB targets file plus headers. */
  public static final long DEFAULT_MAX_PACKET_SIZE = 9L * 1024 * 1024;

  /**
   * A Last Will: published by the broker at QoS 1 when the connection ends without a normal
   * DISCONNECT (network loss, missed keep-alives, a crash); a clean {@link MqttConnection#close()}
   * discards it. The topic is a topic name, not a filter: no {@code +} or {@code #}. The payload is
   * copied in and out.
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out; equals and hashCode compare bytes
  public record Will(String topic, byte[] payload, boolean retained) {
    public Will {
      if (topic.isEmpty()) {
        throw new IllegalArgumentException(
            "the will topic is empty; give the topic the broker should publish the will to");
      }
      if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
        throw new IllegalArgumentException(
            "the will topic '"
                + topic
                + "' contains a wildcard (+ or #); a will is published to one topic name,"
                + " not a subscription filter");
      }
      if (topic.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("the will topic contains a NUL character");
      }
      if (topic.getBytes(StandardCharsets.UTF_8).length > 65_535) {
        throw new IllegalArgumentException("the will topic is longer than 65535 bytes (UTF-8)");
      }
      payload = payload.clone();
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof Will w
          && topic.equals(w.topic)
          && retained == w.retained
          && Arrays.equals(payload, w.payload);
    }

    @Override
    public int hashCode() {
      return Objects.hash(topic, retained, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
      return "Will[topic=" + topic + ", " + payload.length + " bytes, retained=" + retained + "]";
    }
  }

  public MqttOptions {
    if (broker.getRawUserInfo() != null) {
      // Not quoted: the user info may hold a password.
      throw new IllegalArgumentException(
          "the broker URI must not carry a user name or password (mqtt://user:password@host);"
              + " give them as MqttLogin (graft: --username and --password SOURCE)");
    }
    String scheme = broker.getScheme() == null ? "" : broker.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("mqtt") && !scheme.equals("mqtts")) {
      throw new IllegalArgumentException(
          "broker '" + broker + "' must be an mqtt:// or mqtts:// URI");
    }
    if (broker.getHost() == null) {
      throw new IllegalArgumentException("broker '" + broker + "' has no host");
    }
    if (scheme.equals("mqtts") && tls.isEmpty()) {
      throw new IllegalArgumentException(
          "broker '" + broker + "' uses TLS (mqtts://); give the CA and client certificate");
    }
    if (scheme.equals("mqtt") && tls.isPresent()) {
      throw new IllegalArgumentException(
          "TLS settings were given but broker '" + broker + "' is plain mqtt://; use mqtts://");
    }
    if (clientId.length() > 128) {
      throw new IllegalArgumentException("client id is longer than 128 characters");
    }
    positive(sessionExpiry, "session expiry", true);
    positive(connectTimeout, "connect timeout", false);
    positive(operationTimeout, "operation timeout", false);
    positive(keepAlive, "keep-alive", false);
    if (maxPacketSize < 64 * 1024 || maxPacketSize > 256L * 1024 * 1024) {
      throw new IllegalArgumentException(
          "max packet size " + maxPacketSize + " is outside 64 KiB..256 MiB");
    }
  }

  /** Without a will: the canonical constructor before {@link #will} existed, kept for callers. */
  public MqttOptions(
      URI broker,
      String clientId,
      boolean cleanStart,
      Duration sessionExpiry,
      Duration connectTimeout,
      Duration operationTimeout,
      Duration keepAlive,
      long maxPacketSize,
      Optional<TlsOptions> tls,
      Optional<MqttLogin> login) {
    this(
        broker,
        clientId,
        cleanStart,
        sessionExpiry,
        connectTimeout,
        operationTimeout,
        keepAlive,
        maxPacketSize,
        tls,
        login,
        Optional.empty());
  }

  /** Defaults for a plain {@code mqtt://} broker: random client id, clean start. */
  public static MqttOptions of(URI broker) {
    return of(broker, null);
  }

  /** Defaults for a broker, with TLS settings for {@code mqtts://} (null for {@code mqtt://}). */
  public static MqttOptions of(URI broker, @Nullable TlsOptions tls) {
    return new MqttOptions(
        broker,
        "",
        true,
        DEFAULT_SESSION_EXPIRY,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_OPERATION_TIMEOUT,
        DEFAULT_KEEP_ALIVE,
        DEFAULT_MAX_PACKET_SIZE,
        Optional.ofNullable(tls),
        Optional.empty(),
        Optional.empty());
  }

  public MqttOptions withClientId(String id) {
    return new MqttOptions(
        broker,
        id,
        cleanStart,
        sessionExpiry,
        connectTimeout,
        operationTimeout,
        keepAlive,
        maxPacketSize,
        tls,
        login,
        will);
  }

  /** A persistent session: the broker keeps subscriptions and queued messages while away. */
  public MqttOptions withPersistentSession(String id, Duration expiry) {
    return new MqttOptions(
        broker,
        id,
        false,
        expiry,
        connectTimeout,
        operationTimeout,
        keepAlive,
        maxPacketSize,
        tls,
        login,
        will);
  }

  public MqttOptions withTls(@Nullable TlsOptions settings) {
    return new MqttOptions(
        broker,
        clientId,
        cleanStart,
        sessionExpiry,
        connectTimeout,
        operationTimeout,
        keepAlive,
        maxPacketSize,
        Optional.ofNullable(settings),
        login,
        will);
  }

  /** Authenticates with a user name and password (sent only after TLS is up, for mqtts://). */
  public MqttOptions withLogin(@Nullable MqttLogin credentials) {
    return new MqttOptions(
        broker,
        clientId,
        cleanStart,
        sessionExpiry,
        connectTimeout,
        operationTimeout,
        keepAlive,
        maxPacketSize,
        tls,
        Optional.ofNullable(credentials),
        will);
  }

  public MqttOptions withTimeouts(Duration connect, Duration operation) {
    return new MqttOptions(
        broker,
        clientId,
        cleanStart,
        sessionExpiry,
        connect,
        operation,
        keepAlive,
        maxPacketSize,
        tls,
        login,
        will);
  }

  public MqttOptions withMaxPacketSize(long bytes) {
    return new MqttOptions(
        broker,
        clientId,
        cleanStart,
        sessionExpiry,
        connectTimeout,
        operationTimeout,
        keepAlive,
        bytes,
        tls,
        login,
        will);
  }

  /**
   * Sets the Last Will (QoS 1), which the broker publishes if this connection is lost rather than
   * closed; replaces an earlier one.
   *
   * @throws IllegalArgumentException if the topic is empty or contains {@code +} or {@code #}
   */
  public MqttOptions withWill(String topic, byte[] payload, boolean retained) {
    return new MqttOptions(
        broker,
        clientId,
        cleanStart,
        sessionExpiry,
        connectTimeout,
        operationTimeout,
        keepAlive,
        maxPacketSize,
        tls,
        login,
        Optional.of(new Will(topic, payload, retained)));
  }

  private static void positive(Duration d, String what, boolean zeroAllowed) {
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
  }
}
