package dev.graft.transport;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.jspecify.annotations.Nullable;

/**
 * One MQTT 5 connection over Eclipse Paho, with the care Paho 1.2.5 leaves to its user: PUBACK and
 * SUBACK reason codes are checked, subscriptions are re-made after every reconnect (a clean start
 * or an expired session loses them on the broker), and "connect in progress" (32110) or "too many
 * publishes in progress" (32202) are retried until the operation timeout instead of failing.
 *
 * <p>Messages are dispatched to the handler of every matching subscription on Paho's callback
 * thread; handlers must return quickly (queue, don't block). One handler per filter: subscribing to
 * a filter again replaces its handler, so two readers must not read the same topic at the same time
 * over one connection. Paho types never leave this class (and {@link PendingPublish}).
 *
 * <p>MQTT 5 user properties (such as the W3C {@code traceparent}, {@link TraceContext}) travel with
 * {@link #publish(String, byte[], boolean, Map)} and reach a {@link PropertiesHandler}. Both sides
 * hold them to at most {@value #MAX_USER_PROPERTIES} properties with keys and values of at most
 * {@value #MAX_USER_PROPERTY_LENGTH} characters: publishing more is refused; on receipt a property
 * over the length cap is ignored, a repeated key keeps its first value, and keys past the first
 * {@value #MAX_USER_PROPERTIES} are ignored — a sender cannot make a handler hold more than that.
 */
public final class MqttConnection implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(MqttConnection.class.getName());
  private static final int QOS = 1;
  private static final long RETRY_PAUSE_MILLIS = 20;

  /** The most user properties one message carries to a handler (or may be published with). */
  public static final int MAX_USER_PROPERTIES = 32;

  /** The longest user property key or value, in characters. */
  public static final int MAX_USER_PROPERTY_LENGTH = 1024;

  /** Receives the messages of one subscription. */
  @FunctionalInterface
  public interface MessageHandler {
    void onMessage(String topic, byte[] payload, boolean retained);
  }

  /**
   * Receives the messages of one subscription with their MQTT 5 user properties (an unmodifiable
   * map in the order the message carried them; empty when it carried none), capped as the class
   * comment says.
   */
  @FunctionalInterface
  public interface PropertiesHandler {
    void onMessage(
        String topic, byte[] payload, boolean retained, Map<String, String> userProperties);
  }

  private final MqttOptions options;
  private final MqttAsyncClient client;
  private final Map<String, PropertiesHandler> subscriptions = new ConcurrentHashMap<>();
  private final AtomicInteger reconnects = new AtomicInteger();

  private MqttConnection(MqttOptions options, MqttAsyncClient client) {
    this.options = options;
    this.client = client;
  }

  /** Connects, retrying while Paho reports a connect already in progress. */
  public static MqttConnection open(MqttOptions options) {
    String clientId =
        options.clientId().isEmpty()
            ? "graft-" + UUID.randomUUID().toString().substring(0, 18)
            : options.clientId();
    MqttAsyncClient client;
    try {
      client = new MqttAsyncClient(pahoUri(options.broker()), clientId, new MemoryPersistence());
    } catch (MqttException e) {
      throw new TransportException("cannot create an MQTT client for " + options.broker(), e);
    }
    MqttConnection connection = new MqttConnection(options, client);
    client.setCallback(connection.new Callback());
    MqttConnectionOptions paho = new MqttConnectionOptions();
    paho.setCleanStart(options.cleanStart());
    paho.setSessionExpiryInterval(options.sessionExpiry().toSeconds());
    paho.setConnectionTimeout(seconds(options.connectTimeout()));
    paho.setKeepAliveInterval(seconds(options.keepAlive()));
    paho.setAutomaticReconnect(true);
    paho.setAutomaticReconnectDelay(1, 30);
    paho.setMaximumPacketSize(options.maxPacketSize());
    paho.setHttpsHostnameVerificationEnabled(true);
    if (options.will().isPresent()) {
      MqttOptions.Will will = options.will().get();
      paho.setWill(
          will.topic(),
          new MqttMessage(will.payload(), QOS, will.retained(), new MqttProperties()));
    }
    if (options.login().isPresent()) {
      MqttLogin login = options.login().get();
      paho.setUserName(login.username());
      char[] password = login.password();
      // Paho keeps the bytes to log in again after a reconnect; the copies made on the way are
      // cleared (encoded straight from the chars: no String that would stay until collected).
      java.nio.ByteBuffer encoded =
          java.nio.charset.StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      paho.setPassword(bytes);
      java.util.Arrays.fill(password, '\0');
      if (encoded.hasArray()) {
        java.util.Arrays.fill(encoded.array(), (byte) 0);
      }
    }
    if (options.tls().isPresent()) {
      SSLSocketFactory factory = TlsContexts.socketFactory(options.tls().get());
      paho.setSocketFactory(NoDelaySockets.tls(factory));
    } else {
      paho.setSocketFactory(NoDelaySockets.plain());
    }
    long deadline = System.nanoTime() + options.connectTimeout().toNanos();
    while (true) {
      try {
        client.connect(paho).waitForCompletion(options.connectTimeout().toMillis());
        return connection;
      } catch (MqttException e) {
        if (e.getReasonCode() == MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS
            && System.nanoTime() < deadline) {
          pause();
          continue;
        }
        connection.closeQuietly();
        throw new TransportException(
            "cannot connect to " + options.broker() + ": " + describeConnect(e, options.broker()),
            e);
      }
    }
  }

  public MqttOptions options() {
    return options;
  }

  /** How many times the connection was re-established automatically. */
  public int reconnects() {
    return reconnects.get();
  }

  public boolean isConnected() {
    return client.isConnected();
  }

  /**
   * Subscribes at QoS 1 and waits for the SUBACK; the handler is registered first, so retained
   * messages that arrive right after the SUBACK are not missed.
   *
   * @throws BrokerRefusedException when the SUBACK carries a failure code (e.g. 0x87 from an ACL)
   */
  public void subscribe(String filter, MessageHandler handler) {
    subscribe(
        filter,
        (topic, payload, retained, properties) -> handler.onMessage(topic, payload, retained));
  }

  /**
   * Subscribes as {@link #subscribe(String, MessageHandler)} does, with a handler that also sees
   * each message's user properties.
   *
   * @throws BrokerRefusedException when the SUBACK carries a failure code (e.g. 0x87 from an ACL)
   */
  public void subscribe(String filter, PropertiesHandler handler) {
    subscriptions.put(filter, handler);
    try {
      sendSubscribe(filter);
    } catch (RuntimeException e) {
      subscriptions.remove(filter);
      throw e;
    }
  }

  /** Unsubscribes and forgets the handler; messages already on their way are dropped. */
  public void unsubscribe(String filter) {
    subscriptions.remove(filter);
    retrying(
        "an unsubscription",
        filter,
        () -> client.unsubscribe(filter).waitForCompletion(timeoutMillis()));
  }

  /** Publishes QoS 1; the returned handle waits for and checks the PUBACK. */
  public PendingPublish publish(String topic, byte[] payload, boolean retained) {
    return publish(topic, payload, retained, Map.of());
  }

  /**
   * Publishes QoS 1 with MQTT 5 user properties, sent in the map's iteration order; the returned
   * handle waits for and checks the PUBACK.
   *
   * @throws IllegalArgumentException for more than {@value #MAX_USER_PROPERTIES} properties, or an
   *     empty key, or a key or value longer than {@value #MAX_USER_PROPERTY_LENGTH} characters
   */
  public PendingPublish publish(
      String topic, byte[] payload, boolean retained, Map<String, String> userProperties) {
    MqttProperties properties = new MqttProperties();
    if (!userProperties.isEmpty()) {
      properties.setUserProperties(outgoing(topic, userProperties));
    }
    MqttMessage message = new MqttMessage(payload, QOS, retained, properties);
    IMqttToken[] token = new IMqttToken[1];
    retrying("a publish", topic, () -> token[0] = client.publish(topic, message));
    return new PendingPublish(this, topic, token[0]);
  }

  /** Publishes QoS 1 and waits for a successful PUBACK. */
  public void publishAndWait(String topic, byte[] payload, boolean retained) {
    publish(topic, payload, retained).await();
  }

  private static List<UserProperty> outgoing(String topic, Map<String, String> userProperties) {
    if (userProperties.size() > MAX_USER_PROPERTIES) {
      throw new IllegalArgumentException(
          userProperties.size()
              + " user properties for a publish to "
              + topic
              + "; at most "
              + MAX_USER_PROPERTIES
              + " are allowed (receivers ignore the rest)");
    }
    List<UserProperty> list = new ArrayList<>(userProperties.size());
    for (Map.Entry<String, String> property : userProperties.entrySet()) {
      String key = property.getKey();
      String value = property.getValue();
      if (key.isEmpty()
          || key.length() > MAX_USER_PROPERTY_LENGTH
          || value.length() > MAX_USER_PROPERTY_LENGTH) {
        throw new IllegalArgumentException(
            "user property '"
                + (key.length() > 64 ? key.substring(0, 64) + "…" : key)
                + "' for a publish to "
                + topic
                + ": keys must be 1 to "
                + MAX_USER_PROPERTY_LENGTH
                + " characters and values at most "
                + MAX_USER_PROPERTY_LENGTH
                + " (receivers ignore longer ones)");
      }
      list.add(new UserProperty(key, value));
    }
    return list;
  }

  /** The capped view of a received message's user properties, as the class comment describes. */
  static Map<String, String> incoming(@Nullable MqttProperties properties) {
    List<UserProperty> received = properties == null ? null : properties.getUserProperties();
    if (received == null || received.isEmpty()) {
      return Map.of();
    }
    Map<String, String> kept = new LinkedHashMap<>();
    for (UserProperty property : received) {
      if (kept.size() == MAX_USER_PROPERTIES) {
        break;
      }
      String key = property.getKey();
      String value = property.getValue();
      if (key == null
          || value == null
          || key.length() > MAX_USER_PROPERTY_LENGTH
          || value.length() > MAX_USER_PROPERTY_LENGTH) {
        continue;
      }
      kept.putIfAbsent(key, value);
    }
    return Collections.unmodifiableMap(kept);
  }

  long timeoutMillis() {
    return options.operationTimeout().toMillis();
  }

  private void sendSubscribe(String filter) {
    IMqttToken[] token = new IMqttToken[1];
    retrying(
        "a subscription",
        filter,
        () -> {
          token[0] = client.subscribe(new MqttSubscription(filter, QOS));
          token[0].waitForCompletion(timeoutMillis());
        });
    int[] codes = token[0].getReasonCodes();
    if (codes != null && codes.length > 0 && ReasonCodes.isFailure(codes[0])) {
      throw new BrokerRefusedException("a subscription", filter, codes[0]);
    }
  }

  @FunctionalInterface
  private interface MqttAction {
    void run() throws MqttException;
  }

  private void retrying(String operation, String topic, MqttAction action) {
    long deadline = System.nanoTime() + options.operationTimeout().toNanos();
    while (true) {
      try {
        action.run();
        return;
      } catch (MqttException e) {
        int code = e.getReasonCode();
        boolean transientState =
            code == MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS
                || code == MqttClientException.REASON_CODE_MAX_INFLIGHT
                || code == MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED
                || code == MqttClientException.REASON_CODE_CONNECTION_LOST;
        if (transientState && System.nanoTime() < deadline) {
          pause();
          continue;
        }
        if (code > 0 && code < 256 && ReasonCodes.isFailure(code)) {
          throw new BrokerRefusedException(operation, topic, code);
        }
        throw new TransportException(
            operation + " to " + topic + " on " + options.broker() + " failed: " + describe(e), e);
      }
    }
  }

  /**
   * Why a connection could not be made, in the words of the fix: an unknown host, nothing listening
   * on the port; other failures as {@link #describe}.
   */
  static String describeConnect(MqttException e, java.net.URI broker) {
    String address =
        broker.getHost() + ":" + (broker.getPort() > 0 ? broker.getPort() : defaultPort(broker));
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.UnknownHostException) {
        return "unknown host '" + broker.getHost() + "' (check the name in --broker)";
      }
      if (cause instanceof java.net.ConnectException) {
        return "nothing is listening on " + address + " — is the broker running?";
      }
      if (cause instanceof java.net.SocketTimeoutException) {
        return "no answer from " + address + " — is the broker running, or a firewall dropping it?";
      }
    }
    return describe(e);
  }

  private static int defaultPort(java.net.URI broker) {
    return "mqtts".equalsIgnoreCase(broker.getScheme()) ? 8883 : 1883;
  }

  static String describe(MqttException e) {
    // Paho wraps TLS and socket failures as "Untranslated MqttException"; the cause says what.
    Throwable cause = e.getCause();
    String message =
        cause != null && cause.getMessage() != null ? cause.getMessage() : e.getMessage();
    return (message == null ? "error" : message) + " (Paho code " + e.getReasonCode() + ")";
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while waiting for the MQTT client", e);
    }
  }

  private static int seconds(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
  }

  private static String pahoUri(URI broker) {
    boolean tls = broker.getScheme().equalsIgnoreCase("mqtts");
    int port = broker.getPort() > 0 ? broker.getPort() : (tls ? 8883 : 1883);
    String host = broker.getHost();
    return (tls ? "ssl://" : "tcp://") + host + ":" + port;
  }

  /** Disconnects (waiting briefly for in-flight acknowledgements) and releases Paho's threads. */
  @Override
  public void close() {
    subscriptions.clear();
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      if (client.isConnected()) {
        client.disconnect(Math.min(timeoutMillis(), 5_000)).waitForCompletion(5_000);
      }
    } catch (MqttException e) {
      LOG.log(Level.DEBUG, "disconnect from " + options.broker() + " failed: " + describe(e));
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      LOG.log(Level.DEBUG, "closing the MQTT client failed: " + describe(e));
    }
  }

  private final class Callback implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {
      LOG.log(Level.INFO, "broker " + options.broker() + " disconnected: " + response);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      LOG.log(Level.WARNING, "MQTT error on " + options.broker() + ": " + describe(exception));
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      byte[] payload = message.getPayload();
      Map<String, String> properties = incoming(message.getProperties());
      for (Map.Entry<String, PropertiesHandler> subscription : subscriptions.entrySet()) {
        if (Topics.matches(subscription.getKey(), topic)) {
          subscription.getValue().onMessage(topic, payload, message.isRetained(), properties);
        }
      }
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      // PendingPublish checks each PUBACK itself.
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (!reconnect) {
        return;
      }
      reconnects.incrementAndGet();
      // Waiting for SUBACKs on Paho's callback thread would deadlock it.
      Set<String> filters = Set.copyOf(subscriptions.keySet());
      Thread.ofVirtual()
          .name("mqtt-resubscribe")
          .start(() -> {
            for (String filter : List.copyOf(filters)) {
              if (!subscriptions.containsKey(filter)) {
                continue;
              }
              try {
                sendSubscribe(filter);
              } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "re-subscribing to " + filter + " failed: " + e);
              }
            }
          });
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
      // No enhanced authentication is configured.
    }
  }
}
