package dev.graft.gateway.field;

import dev.graft.policies.CoapMethod;
import dev.graft.policies.Grant;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.jspecify.annotations.Nullable;

/**
 * A CoAP device ({@code coap://host[:port]}, or {@code coaps://} with a DTLS pre-shared key or an
 * X.509 certificate identity from the gateway's {@link Credentials}) over Eclipse Californium.
 *
 * <p>Inputs are observed (RFC 7641); a server that answers without the Observe option is polled
 * with GET instead. Because an observed value that does not change sends nothing, a GET also runs
 * whenever a value is older than half the staleness age: a silent but healthy device stays good,
 * and a dead one turns bad.
 */
final class CoapLink extends DeviceLink {
  private static final System.Logger LOG = System.getLogger(CoapLink.class.getName());

  static {
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
  }

  /** What the link knows about one observed path. */
  private static final class Watch {
    volatile @Nullable CoapObserveRelation relation;
    volatile @Nullable Boolean observable;
    // an observe request is out: don't send another before it is answered or fails
    volatile boolean pending;
    volatile long lastUpdateNanos;
    volatile boolean everUpdated;
  }

  private final URI base;
  private final Endpoint endpoint;
  private final @Nullable DTLSConnector dtls;
  private final Map<String, CoapClient> clients = new ConcurrentHashMap<>();
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  CoapLink(
      Grant.Device device,
      FieldOptions options,
      Credentials credentials,
      Consumer<DeviceLink> onLost) {
    super(device.name(), options, onLost);
    this.base = device.address();
    Configuration config = Configuration.createStandardWithoutFile();
    long timeoutMs = options.requestTimeout().toMillis();
    // one retransmission inside the request timeout; the link's own retry takes over after that
    config.set(CoapConfig.ACK_TIMEOUT, Math.max(1, timeoutMs / 3), TimeUnit.MILLISECONDS);
    config.set(CoapConfig.MAX_RETRANSMIT, 1);
    CoapEndpoint.Builder builder = new CoapEndpoint.Builder().setConfiguration(config);
    if (device.transport() == Grant.Transport.COAPS) {
      this.dtls = dtlsConnector(device, config, credentials, timeoutMs);
      builder.setConnector(dtls);
    } else {
      this.dtls = null;
    }
    this.endpoint = builder.build();
  }

  /**
   * The DTLS client for a {@code coaps://} device, with the credential its grant names: a
   * pre-shared key if the store has one under that name, else a certificate identity.
   */
  private static DTLSConnector dtlsConnector(
      Grant.Device device, Configuration config, Credentials credentials, long timeoutMs) {
    String name = device.credential();
    if (name == null) {
      throw new IllegalArgumentException(
          "device '" + device.name() + "' is coaps:// but the grant names no credential");
    }
    config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
    config.set(
        DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, Math.max(1, timeoutMs / 3), TimeUnit.MILLISECONDS);
    config.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 1);
    DtlsConnectorConfig.Builder dtls =
        DtlsConnectorConfig.builder(config).setAddress(new InetSocketAddress(0));
    PskCredential psk = credentials.psk(name).orElse(null);
    if (psk != null) {
      byte[] secret = psk.secret();
      try {
        return new DTLSConnector(
            dtls.setAdvancedPskStore(new AdvancedSinglePskStore(psk.identity(), secret)).build());
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
    }
    CertificateCredential certificate =
        credentials
            .certificate(name)
            .orElseThrow(() ->
                new IllegalArgumentException(
                    "device '"
                        + device.name()
                        + "': no credential '"
                        + name
                        + "' (neither a PSK nor a certificate) in the gateway's credential"
                        + " store"));
    // The device's certificate must name the address the grant gives it (an IP address SAN for
    // coaps://10.0.0.7, a DNS SAN for a host name): a certificate the site CA issued to another
    // device cannot stand in for this one. This is Scandium's default; set here so that it stays.
    return new DTLSConnector(
        dtls.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, true)
            .setCertificateIdentityProvider(
                new SingleCertificateProvider(
                    certificate.privateKey(),
                    certificate.chain().toArray(X509Certificate[]::new),
                    CertificateType.X_509))
            // only the credential's anchors: never the JDK's CAs, never an empty (= trust-all) list
            .setAdvancedCertificateVerifier(
                StaticNewAdvancedCertificateVerifier.builder()
                    .setTrustedCertificates(
                        certificate.trustAnchors().toArray(X509Certificate[]::new))
                    .setSupportedCertificateTypes(List.of(CertificateType.X_509))
                    .build())
            .build());
  }

  private CoapClient client(String path) {
    return clients.computeIfAbsent(
        path,
        p -> {
          URI uri = base.resolve(p);
          CoapClient client = new CoapClient(uri);
          client.setEndpoint(endpoint);
          client.setTimeout(options.requestTimeout().toMillis());
          return client;
        });
  }

  @Override
  protected void connect() throws LinkDown {
    try {
      if (!endpoint.isStarted()) {
        endpoint.start();
      }
    } catch (IOException e) {
      throw new LinkDown("cannot open the CoAP endpoint: " + e.getMessage(), e);
    }
    // UDP has no connection: the device is up when it answers. Probe with the first input; with
    // none bound (yet), a CoAP ping, so a link never counts as up before the device (and, over
    // DTLS, its handshake) has answered.
    for (InputCell cell : cells) {
      String path = java.util.Objects.requireNonNull(cell.coapPath());
      get(path);
      return;
    }
    ping();
  }

  /** An empty confirmable message; a live CoAP server answers it with a reset (RFC 7252 4.3). */
  private void ping() throws LinkDown {
    Request ping = new Request(null, CoAP.Type.CON);
    ping.setToken(Token.EMPTY);
    ping.setURI(base);
    endpoint.sendRequest(ping);
    try {
      ping.waitForResponse(options.requestTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ping.cancel();
      throw new LinkDown("ping interrupted", e);
    }
    if (ping.isRejected()) {
      return;
    }
    ping.cancel();
    Throwable error = ping.getSendError();
    if (error instanceof Exception cause) {
      throw new LinkDown("ping failed: " + describe(cause), cause);
    }
    throw new LinkDown("ping: no answer");
  }

  @Override
  protected void disconnect() {
    for (Watch watch : watches.values()) {
      CoapObserveRelation relation = watch.relation;
      if (relation != null) {
        relation.reactiveCancel();
      }
      watch.relation = null;
      watch.pending = false;
    }
    if (dtls != null) {
      // the server may have restarted and forgotten the session: handshake afresh
      dtls.clearConnectionState();
    }
  }

  @Override
  protected void poll(List<InputCell> inputs) throws LinkDown {
    long now = System.nanoTime();
    long refreshNanos =
        Math.max(options.pollPeriod(device).toNanos(), options.staleAfter().toNanos() / 2);
    for (String path : inputs.stream().map(InputCell::coapPath).distinct().toList()) {
      if (path == null) {
        continue;
      }
      Watch watch = watches.computeIfAbsent(path, p -> new Watch());
      CoapObserveRelation relation = watch.relation;
      if (watch.pending) {
        continue;
      }
      if (!Boolean.FALSE.equals(watch.observable) && (relation == null || relation.isCanceled())) {
        observe(path, watch);
        continue;
      }
      boolean polling = Boolean.FALSE.equals(watch.observable);
      if (polling || !watch.everUpdated || now - watch.lastUpdateNanos > refreshNanos) {
        get(path);
      }
    }
  }

  private void observe(String path, Watch watch) {
    watch.pending = true;
    watch.relation =
        client(path)
            .observe(
                new CoapHandler() {
                  @Override
                  public void onLoad(CoapResponse response) {
                    watch.pending = false;
                    if (!response.getOptions().hasObserve()) {
                      // the server does not support Observe: fall back to GET on every poll
                      watch.observable = false;
                    } else {
                      watch.observable = true;
                    }
                    accept(path, response);
                  }

                  @Override
                  public void onError() {
                    // a lost notification or registration: the next poll re-observes or GETs
                    watch.pending = false;
                    watch.relation = null;
                  }
                });
  }

  private void get(String path) throws LinkDown {
    CoapResponse response;
    try {
      response = client(path).get();
    } catch (ConnectorException | IOException e) {
      throw new LinkDown("GET " + path + " failed: " + describe(e), e);
    }
    if (response == null) {
      throw new LinkDown("GET " + path + ": no answer");
    }
    accept(path, response);
  }

  /**
   * Why a request failed. A refused DTLS handshake says so and carries the validator's reason (e.g.
   * that the device's certificate does not chain to the credential's trust anchors), which is what
   * an operator needs to fix a certificate; Californium's wrapper only names the exception class.
   */
  private static String describe(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HandshakeException handshake) {
        Throwable reason = handshake.getCause();
        return "DTLS handshake failed: "
            + handshake.getMessage()
            + (reason != null && reason.getMessage() != null
                ? " (" + reason.getMessage() + ")"
                : "");
      }
    }
    return String.valueOf(e.getMessage());
  }

  /** Takes a value from a GET answer or notification into every cell of that path. */
  private void accept(String path, CoapResponse response) {
    double value = Double.NaN;
    if (response.isSuccess()) {
      try {
        value = Double.parseDouble(response.getResponseText().trim());
      } catch (NumberFormatException e) {
        LOG.log(Level.WARNING, "field device {0}: {1} is not a decimal", device, path);
      }
    }
    long now = System.nanoTime();
    Watch watch = watches.get(path);
    if (watch != null && Double.isFinite(value)) {
      watch.lastUpdateNanos = now;
      watch.everUpdated = true;
    }
    for (InputCell cell : cells) {
      if (path.equals(cell.coapPath())) {
        if (Double.isFinite(value)) {
          cell.update(value, now);
        } else {
          cell.markBad();
        }
      }
    }
  }

  @Override
  protected boolean write(OutputChannel channel, OutputChannel.Setting setting) throws LinkDown {
    if (!(channel.target() instanceof Grant.Target.Resource(String path))) {
      throw new IllegalStateException("not a CoAP output: " + channel.target());
    }
    String text = BigDecimal.valueOf(setting.raw()).toPlainString();
    CoapMethod method = setting.coapMethod();
    CoapResponse response;
    try {
      // the method the manifest declares (and the grant allows): a device may act on POST only
      response =
          method == CoapMethod.POST
              ? client(path).post(text, MediaTypeRegistry.TEXT_PLAIN)
              : client(path).put(text, MediaTypeRegistry.TEXT_PLAIN);
    } catch (ConnectorException | IOException e) {
      throw new LinkDown(method + " " + path + " failed: " + describe(e), e);
    }
    if (response == null) {
      throw new LinkDown(method + " " + path + ": no answer");
    }
    if (!response.isSuccess()) {
      LOG.log(
          Level.WARNING,
          "field device {0}: {1} {2} refused with {3}",
          device,
          method,
          path,
          response.getCode());
      return false;
    }
    return true;
  }

  @Override
  protected void release() {
    disconnect();
    clients.values().forEach(CoapClient::shutdown);
    endpoint.destroy();
  }
}
