package dev.graft.sim.coap;

import dev.graft.sim.DtlsCertificate;
import dev.graft.sim.Faults;
import dev.graft.sim.Psk;
import dev.graft.sim.plant.Plant;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.jspecify.annotations.Nullable;

/**
 * The simulated thermostat: a CoAP server with the observable {@code /setpoint} resource, on plain
 * UDP and, when a pre-shared key or a certificate is configured, on DTLS as well (with a
 * certificate, clients must present one too).
 */
public final class Thermostat implements AutoCloseable {
  static {
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
  }

  private final CoapServer server;
  private final SetpointResource setpoint;
  private final CoapEndpoint plain;
  private final @Nullable CoapEndpoint secure;

  private Thermostat(
      String bindHost,
      int port,
      @Nullable Psk psk,
      @Nullable DtlsCertificate certificate,
      int dtlsPort,
      Plant plant,
      Faults faults) {
    Configuration configuration = Configuration.createStandardWithoutFile();
    SetpointResource setpoint = new SetpointResource(plant, faults);
    this.setpoint = setpoint;
    AtomicBoolean wasOffline = new AtomicBoolean(faults.coapOffline());
    plant.onSetpointChange(celsius -> {
      if (!faults.coapOffline()) {
        setpoint.changed();
      }
    });
    // Observers missed the changes made while the device was offline; catch them up.
    faults.onChange(() -> {
      boolean offline = faults.coapOffline();
      if (wasOffline.getAndSet(offline) && !offline) {
        setpoint.changed();
      }
    });

    server = new CoapServer(configuration);
    server.add(setpoint);
    plain =
        new CoapEndpoint.Builder()
            .setConfiguration(configuration)
            .setConnector(
                new SwitchableConnector(
                    new UDPConnector(new InetSocketAddress(bindHost, port), configuration), faults))
            .build();
    server.addEndpoint(plain);
    if (psk != null || certificate != null) {
      DtlsConnectorConfig.Builder dtls =
          DtlsConnectorConfig.builder(configuration)
              .setAddress(new InetSocketAddress(bindHost, dtlsPort))
              .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
      if (psk != null) {
        dtls.setAdvancedPskStore(new AdvancedSinglePskStore(psk.identity(), psk.key()));
      }
      if (certificate != null) {
        // mutual authentication: a client without a certificate from the client CAs is refused
        dtls.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED)
            .setCertificateIdentityProvider(
                new SingleCertificateProvider(
                    certificate.privateKey(),
                    certificate.chain().toArray(X509Certificate[]::new),
                    CertificateType.X_509))
            .setAdvancedCertificateVerifier(
                StaticNewAdvancedCertificateVerifier.builder()
                    .setTrustedCertificates(certificate.clientCas().toArray(X509Certificate[]::new))
                    .setSupportedCertificateTypes(List.of(CertificateType.X_509))
                    .build());
      }
      secure =
          new CoapEndpoint.Builder()
              .setConfiguration(configuration)
              .setConnector(new SwitchableConnector(new DTLSConnector(dtls.build()), faults))
              .build();
      server.addEndpoint(secure);
    } else {
      secure = null;
    }
    server.start();
    // CoapServer.start() only logs an endpoint that cannot bind; a site with a dead endpoint
    // would mislead every test that uses it.
    for (CoapEndpoint endpoint : secure == null ? List.of(plain) : List.of(plain, secure)) {
      if (!endpoint.isStarted()) {
        server.destroy();
        throw new IllegalStateException(
            "cannot start the CoAP server on " + endpoint.getAddress() + " (port in use?)");
      }
    }
  }

  /**
   * Starts the thermostat on {@code bindHost:port} (0 = a free port), and on {@code dtlsPort} with
   * DTLS if {@code psk} or {@code certificate} (or both) is given.
   */
  public static Thermostat start(
      String bindHost,
      int port,
      @Nullable Psk psk,
      @Nullable DtlsCertificate certificate,
      int dtlsPort,
      Plant plant,
      Faults faults) {
    return new Thermostat(bindHost, port, psk, certificate, dtlsPort, plant, faults);
  }

  public InetSocketAddress address() {
    return plain.getAddress();
  }

  /** The DTLS endpoint's address, or {@code null} if neither a PSK nor a certificate is set. */
  public @Nullable InetSocketAddress secureAddress() {
    CoapEndpoint endpoint = secure;
    return endpoint == null ? null : endpoint.getAddress();
  }

  /** Clients currently observing {@code /setpoint}. */
  public int observerCount() {
    return setpoint.getObserverCount();
  }

  @Override
  public void close() {
    server.destroy();
  }
}
