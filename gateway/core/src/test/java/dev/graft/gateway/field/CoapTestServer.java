package dev.graft.gateway.field;

import dev.graft.bundle.keys.testing.DtlsTestPki;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.jspecify.annotations.Nullable;

/**
 * A real CoAP server (Californium) on a loopback port, plain, DTLS PSK or DTLS with certificates
 * (Scandium), with three text/plain decimal resources: {@code /setpoint} (observable), {@code
 * /plain} (no Observe) and {@code /valve} (takes PUT and POST). Each counts the requests it
 * answered.
 */
final class CoapTestServer implements AutoCloseable {
  static {
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
  }

  /** One decimal value, read with GET (observed or not) and set with PUT or POST. */
  static final class ValueResource extends CoapResource {
    volatile String value = "60.0";
    final AtomicInteger plainGets = new AtomicInteger();
    final AtomicInteger observeGets = new AtomicInteger();
    final List<String> puts = new CopyOnWriteArrayList<>();
    final List<String> posts = new CopyOnWriteArrayList<>();

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

    @Override
    public void handlePOST(CoapExchange exchange) {
      String text = exchange.getRequestText();
      posts.add(text);
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

  private CoapTestServer(@Nullable Consumer<DtlsConnectorConfig.Builder> dtls) {
    Configuration config = Configuration.createStandardWithoutFile();
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    CoapEndpoint.Builder builder = new CoapEndpoint.Builder().setConfiguration(config);
    if (dtls != null) {
      config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
      DtlsConnectorConfig.Builder dtlsConfig =
          DtlsConnectorConfig.builder(config).setAddress(loopback);
      dtls.accept(dtlsConfig);
      builder.setConnector(new DTLSConnector(dtlsConfig.build()));
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
    return new CoapTestServer(null);
  }

  static CoapTestServer dtls(String identity, byte[] key) {
    return new CoapTestServer(builder -> {
      AdvancedMultiPskStore store = new AdvancedMultiPskStore();
      store.setKey(identity, key);
      builder.setAdvancedPskStore(store);
    });
  }

  /**
   * DTLS with certificates, as an industrial device would run it: the server presents {@code
   * device} (key and certificate) and requires a client certificate issued by {@code clientCa}.
   */
  static CoapTestServer dtls(DtlsTestPki.Issued device, Path clientCa) {
    CertificateCredential identity =
        CertificateCredential.fromPem(device.key(), device.certificate(), clientCa);
    return new CoapTestServer(builder ->
        builder
            .set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED)
            .setCertificateIdentityProvider(
                new SingleCertificateProvider(
                    identity.privateKey(),
                    identity.chain().toArray(X509Certificate[]::new),
                    CertificateType.X_509))
            .setAdvancedCertificateVerifier(
                StaticNewAdvancedCertificateVerifier.builder()
                    .setTrustedCertificates(identity.trustAnchors().toArray(X509Certificate[]::new))
                    .build()));
  }

  String address() {
    return (secure ? "coaps" : "coap") + "://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    server.destroy();
  }
}
