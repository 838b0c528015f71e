package dev.graft.gateway.field;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;
import org.jspecify.annotations.Nullable;

/**
 * A real CoAP server (Californium) on a loopback port, plain or DTLS PSK (Scandium), with three
 * text/plain decimal resources: {@code /setpoint} (observable), {@code /plain} (no Observe) and
 * {@code /valve} (takes PUT). Each counts the requests it answered.
 */
final class CoapTestServer implements AutoCloseable {
  static {
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
  }

  /** One decimal value, read with GET (observed or not) and set with PUT. */
  static final class ValueResource extends CoapResource {
    volatile String value = "60.0";
    final AtomicInteger plainGets = new AtomicInteger();
    final AtomicInteger observeGets = new AtomicInteger();
    final List<String> puts = new CopyOnWriteArrayList<>();

    ValueResource(String name, boolean observable) {
      super(name);
      setObservable(observable);
    }

    void set(String text) {
      value = text;
      changed();
    }

    @Override
    public void handleGET(CoapExchange exchange) {
      if (exchange.getRequestOptions().hasObserve()) {
        observeGets.incrementAndGet();
      } else {
        plainGets.incrementAndGet();
      }
      exchange.respond(ResponseCode.CONTENT, value, MediaTypeRegistry.TEXT_PLAIN);
    }

    @Override
    public void handlePUT(CoapExchange exchange) {
      String text = exchange.getRequestText();
      puts.add(text);
      value = text;
      changed();
      exchange.respond(ResponseCode.CHANGED);
    }
  }

  final ValueResource setpoint = new ValueResource("setpoint", true);
  final ValueResource plain = new ValueResource("plain", false);
  final ValueResource valve = new ValueResource("valve", false);
  private final CoapServer server;
  final int port;
  final boolean secure;

  private CoapTestServer(@Nullable String identity, byte @Nullable [] key) {
    Configuration config = Configuration.createStandardWithoutFile();
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    CoapEndpoint.Builder builder = new CoapEndpoint.Builder().setConfiguration(config);
    if (identity != null && key != null) {
      config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
      AdvancedMultiPskStore store = new AdvancedMultiPskStore();
      store.setKey(identity, key);
      builder.setConnector(
          new DTLSConnector(
              DtlsConnectorConfig.builder(config)
                  .setAddress(loopback)
                  .setAdvancedPskStore(store)
                  .build()));
      secure = true;
    } else {
      builder.setInetSocketAddress(loopback);
      secure = false;
    }
    CoapEndpoint endpoint = builder.build();
    server = new CoapServer(config);
    server.addEndpoint(endpoint);
    server.add(setpoint, plain, valve);
    server.start();
    port = endpoint.getAddress().getPort();
  }

  static CoapTestServer plain() {
    return new CoapTestServer(null, null);
  }

  static CoapTestServer dtls(String identity, byte[] key) {
    return new CoapTestServer(identity, key);
  }

  String address() {
    return (secure ? "coaps" : "coap") + "://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    server.destroy();
  }
}
