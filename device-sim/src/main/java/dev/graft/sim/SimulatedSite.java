package dev.graft.sim;

import dev.graft.sim.coap.Thermostat;
import dev.graft.sim.modbus.BoilerPlc;
import dev.graft.sim.plant.Plant;
import dev.graft.sim.plant.PlantReading;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A running simulated site: the plant on its clock, the boiler PLC (Modbus TCP) and the thermostat
 * (CoAP, optionally DTLS). Addresses come in the grant's form, ready for a gateway's site
 * configuration. Close it to stop every server and thread it started.
 */
public final class SimulatedSite implements AutoCloseable {
  /** Real time between two advances of the simulated clock. */
  public static final Duration CLOCK_PERIOD = Duration.ofMillis(10);

  private final SiteConfig config;
  private final Plant plant;
  private final Faults faults;
  private final BoilerPlc plc;
  private final Thermostat thermostat;
  private final @Nullable ScheduledExecutorService clock;

  private SimulatedSite(SiteConfig config) {
    this.config = config;
    this.plant = new Plant(config.plant(), config.seed());
    this.faults = new Faults(plant);
    SiteConfig.ModbusSettings modbus = config.modbus();
    this.plc =
        BoilerPlc.start(
            modbus.bindHost(),
            modbus.port(),
            modbus.unitId(),
            modbus.flowWordOrder(),
            plant,
            faults);
    try {
      SiteConfig.CoapSettings coap = config.coap();
      this.thermostat =
          Thermostat.start(
              coap.bindHost(),
              coap.port(),
              coap.psk(),
              coap.certificate(),
              coap.dtlsPort(),
              plant,
              faults);
    } catch (RuntimeException e) {
      plc.close();
      throw e;
    }
    if (config.speed() > 0) {
      Duration step = Duration.ofNanos(Math.round(CLOCK_PERIOD.toNanos() * config.speed()));
      ScheduledExecutorService executor =
          Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "device-sim-clock");
            thread.setDaemon(true);
            return thread;
          });
      var _ = runClock(executor, () -> plant.advance(step));
      this.clock = executor;
    } else {
      this.clock = null;
    }
  }

  /**
   * Runs one clock step every {@link #CLOCK_PERIOD} on {@code executor}. Fixed steps, not measured
   * real time: the model sees the same sequence of advances on a slow machine as on a fast one,
   * only later. And a fixed delay, not a fixed rate: after a stall (a loaded machine, a garbage
   * collection) the next step comes one period after the last one ended, so the simulation slows
   * down, as documented, instead of running the steps it missed back to back in a burst.
   */
  static ScheduledFuture<?> runClock(ScheduledExecutorService executor, Runnable step) {
    return executor.scheduleWithFixedDelay(
        step, CLOCK_PERIOD.toNanos(), CLOCK_PERIOD.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Starts a site.
   *
   * @throws java.io.UncheckedIOException or {@link IllegalStateException} if a port cannot be bound
   */
  public static SimulatedSite start(SiteConfig config) {
    return new SimulatedSite(config);
  }

  /** The boiler PLC, e.g. {@code modbus-tcp://127.0.0.1:5020?unit=1}. */
  public String modbusAddress() {
    return "modbus-tcp://" + hostPort(plc.address()) + "?unit=" + config.modbus().unitId();
  }

  /** The thermostat over plain CoAP, e.g. {@code coap://127.0.0.1:5683}. */
  public String coapAddress() {
    return "coap://" + hostPort(thermostat.address());
  }

  /** The thermostat over DTLS, if a pre-shared key or a certificate is configured. */
  public Optional<String> coapsAddress() {
    InetSocketAddress secure = thermostat.secureAddress();
    return secure == null ? Optional.empty() : Optional.of("coaps://" + hostPort(secure));
  }

  public InetSocketAddress modbusSocketAddress() {
    return plc.address();
  }

  public InetSocketAddress coapSocketAddress() {
    return thermostat.address();
  }

  public Plant plant() {
    return plant;
  }

  public Faults faults() {
    return faults;
  }

  public SiteConfig config() {
    return config;
  }

  /** Open Modbus connections, so tests can see the offline switch cut them. */
  public int modbusConnectionCount() {
    return plc.connectionCount();
  }

  /** Clients observing the thermostat's {@code /setpoint}, so tests can wait for a registration. */
  public int coapObserverCount() {
    return thermostat.observerCount();
  }

  /** One human-readable line: simulated time, temperature, burner, setpoint, permit, faults. */
  public String status() {
    PlantReading reading = plant.reading();
    long seconds = reading.simulatedTime().toSeconds();
    return String.format(
        Locale.ROOT,
        "t=%d:%02d:%02d  T=%.1f °C  burner=%s  setpoint=%s °C  permit=%s  flow=%.1f l/min"
            + "  watchdog=%s  faults: %s",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60,
        reading.measuredTemperatureC(),
        reading.burner() ? "on" : "off",
        reading.setpointC(),
        reading.updatePermit() ? "on" : "off",
        reading.flowLpm(),
        reading.watchdogSeconds() == 0
            ? "off"
            : reading.watchdogSeconds() + " s (" + reading.watchdogTrips() + " trips)",
        faults.summary());
  }

  private static String hostPort(InetSocketAddress address) {
    InetAddress inet = address.getAddress();
    String host;
    if (inet == null || inet.isAnyLocalAddress()) {
      host = "127.0.0.1";
    } else {
      host = inet.getHostAddress();
      if (host.contains(":")) {
        host = "[" + host + "]";
      }
    }
    return host + ":" + address.getPort();
  }

  @Override
  public void close() {
    ScheduledExecutorService executor = clock;
    if (executor != null) {
      executor.shutdownNow();
    }
    try {
      thermostat.close();
    } finally {
      plc.close();
    }
  }
}
