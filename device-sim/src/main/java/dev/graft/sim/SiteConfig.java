package dev.graft.sim;

import dev.graft.sim.plant.PlantParameters;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Everything a simulated site needs to start: where its devices listen, how fast simulated time
 * runs, the seed, and the plant's constants. {@link #defaults()} is the shared plant contract's
 * default site; YAML files are read by {@link SiteConfigReader}.
 *
 * @param name a label for status output
 * @param speed simulated seconds per real second; 0 stops the clock (tests then drive {@link
 *     dev.graft.sim.plant.Plant#advance} themselves)
 * @param seed seed of the model's noise
 * @param modbus the boiler PLC's endpoint
 * @param coap the thermostat's endpoints
 * @param plant constants of the model and the PLC's power-on values (watchdog included)
 */
public record SiteConfig(
    String name,
    double speed,
    long seed,
    ModbusSettings modbus,
    CoapSettings coap,
    PlantParameters plant) {

  /** Faster than this, one 10 ms clock tick would run more than 100 model steps. */
  public static final double MAX_SPEED = 1000.0;

  public SiteConfig {
    if (!Double.isFinite(speed) || speed < 0 || speed > MAX_SPEED) {
      throw new IllegalArgumentException(
          "speed " + speed + " must be between 0 (clock stopped) and " + MAX_SPEED);
    }
  }

  /**
   * The boiler PLC's endpoint.
   *
   * @param bindHost address to listen on
   * @param port TCP port, 0 = a free one
   * @param unitId the unit id the PLC answers to; others get no answer
   * @param flowWordOrder word order of the flow meter's float
   */
  public record ModbusSettings(String bindHost, int port, int unitId, WordOrder flowWordOrder) {
    public ModbusSettings {
      checkPort("modbus.port", port);
      if (unitId < 0 || unitId > 255) {
        throw new IllegalArgumentException(
            "modbus.unit_id " + unitId + " must be between 0 and 255");
      }
    }
  }

  /**
   * The thermostat's endpoints.
   *
   * @param bindHost address to listen on
   * @param port UDP port of plain CoAP, 0 = a free one
   * @param psk the DTLS pre-shared key, or {@code null}
   * @param certificate the DTLS certificate identity (client certificates required), or {@code
   *     null}; without it and without {@code psk} there is no DTLS endpoint
   * @param dtlsPort UDP port of CoAP over DTLS, 0 = a free one
   */
  public record CoapSettings(
      String bindHost,
      int port,
      @Nullable Psk psk,
      @Nullable DtlsCertificate certificate,
      int dtlsPort) {
    public CoapSettings {
      checkPort("coap.port", port);
      checkPort("coap.dtls.port", dtlsPort);
      if (psk != null && (psk.identity().isEmpty() || psk.key().length == 0)) {
        throw new IllegalArgumentException("a DTLS pre-shared key needs an identity and a key");
      }
    }

    /** Whether the thermostat has a DTLS endpoint. */
    public boolean dtls() {
      return psk != null || certificate != null;
    }
  }

  private static void checkPort(String what, int port) {
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException(
          what + " " + port + " must be between 0 (a free port) and 65535");
    }
  }

  /** The default site of the shared plant contract, on free loopback ports, without DTLS. */
  public static SiteConfig defaults() {
    return new SiteConfig(
        "boiler-site",
        1.0,
        1L,
        new ModbusSettings("127.0.0.1", 0, 1, WordOrder.BIG),
        new CoapSettings("127.0.0.1", 0, null, null, 0),
        PlantParameters.DEFAULT);
  }

  public SiteConfig withSpeed(double newSpeed) {
    return new SiteConfig(name, newSpeed, seed, modbus, coap, plant);
  }

  public SiteConfig withSeed(long newSeed) {
    return new SiteConfig(name, speed, newSeed, modbus, coap, plant);
  }

  public SiteConfig withPlant(PlantParameters newPlant) {
    return new SiteConfig(name, speed, seed, modbus, coap, newPlant);
  }

  /** Adds a DTLS endpoint on a free port with this identity and key (UTF-8, as libcoap's -k). */
  public SiteConfig withPsk(String identity, String key) {
    return new SiteConfig(
        name,
        speed,
        seed,
        modbus,
        new CoapSettings(
            coap.bindHost(),
            coap.port(),
            new Psk(identity, key.getBytes(StandardCharsets.UTF_8)),
            coap.certificate(),
            coap.dtlsPort()),
        plant);
  }

  /**
   * Adds a DTLS endpoint on a free port (the same one as a PSK's) with this certificate identity;
   * clients must present a certificate from its client CAs.
   */
  public SiteConfig withCertificate(DtlsCertificate certificate) {
    return new SiteConfig(
        name,
        speed,
        seed,
        modbus,
        new CoapSettings(coap.bindHost(), coap.port(), coap.psk(), certificate, coap.dtlsPort()),
        plant);
  }
}
