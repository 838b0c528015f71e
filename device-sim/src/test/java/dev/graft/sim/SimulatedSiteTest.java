package dev.graft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class SimulatedSiteTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(LIMIT);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(what).isBefore(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void runClock_afterAStall_nextStepsComeAPeriodApartNotInABurst() throws Exception {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Long> starts = new CopyOnWriteArrayList<>();
    try {
      var _ =
          SimulatedSite.runClock(
              executor,
              () -> {
                starts.add(System.nanoTime());
                if (starts.size() == 1) {
                  stalled.countDown();
                  try {
                    // the machine stalls for several clock periods
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              });
      stalled.await();
      long stallEnds = System.nanoTime() + SimulatedSite.CLOCK_PERIOD.multipliedBy(10).toNanos();
      while (System.nanoTime() < stallEnds) {
        Thread.sleep(5);
      }
      release.countDown();
      await("five more steps", () -> starts.size() >= 6);
    } finally {
      executor.shutdownNow();
    }

    // a fixed rate would run the ten missed steps back to back right after the stall; a fixed
    // delay never starts a step less than one period after the previous one began
    for (int i = 1; i < 6; i++) {
      assertThat(starts.get(i) - starts.get(i - 1))
          .as("gap before step %d", i)
          .isGreaterThanOrEqualTo(SimulatedSite.CLOCK_PERIOD.toNanos());
    }
  }

  @Test
  void addresses_inTheGrantsForm() {
    try (SimulatedSite site = SimulatedSite.start(SiteConfig.defaults())) {
      assertThat(site.modbusAddress())
          .matches("modbus-tcp://127\\.0\\.0\\.1:\\d+\\?unit=1")
          .endsWith(":" + site.modbusSocketAddress().getPort() + "?unit=1");
      assertThat(site.coapAddress())
          .isEqualTo("coap://127.0.0.1:" + site.coapSocketAddress().getPort());
      assertThat(site.modbusSocketAddress().getPort()).isPositive();
      assertThat(site.coapsAddress()).isEmpty();
    }
  }

  @Test
  void coapsAddress_withPsk_isAnotherPort() {
    try (SimulatedSite site =
        SimulatedSite.start(SiteConfig.defaults().withPsk("id", "key-material"))) {
      assertThat(site.coapsAddress())
          .hasValueSatisfying(address ->
              assertThat(address)
                  .startsWith("coaps://127.0.0.1:")
                  .isNotEqualTo(site.coapAddress().replace("coap:", "coaps:")));
    }
  }

  @Test
  void clock_running_advancesSimulatedTimeAndHeats() throws Exception {
    try (SimulatedSite site = SimulatedSite.start(SiteConfig.defaults().withSpeed(100))) {
      site.plant().writeCoils(3, new boolean[] {true});
      site.plant().writeHoldingRegisters(10, new int[] {0});

      await("simulated time passes", () -> site.plant().simulatedTime().toSeconds() >= 20);

      assertThat(site.plant().temperatureC()).isGreaterThan(25.0);
    }
  }

  @Test
  void clock_speedZero_standsStill() {
    try (SimulatedSite site = SimulatedSite.start(SiteConfig.defaults().withSpeed(0))) {
      site.plant().advance(Duration.ofSeconds(2));

      assertThat(site.plant().simulatedTime()).isEqualTo(Duration.ofSeconds(2));
    }
  }

  @Test
  void modbusOffline_closesOpenConnections() throws Exception {
    try (SimulatedSite site = SimulatedSite.start(SiteConfig.defaults().withSpeed(0));
        Socket socket =
            new Socket(InetAddress.getLoopbackAddress(), site.modbusSocketAddress().getPort())) {
      await("connection registered", () -> site.modbusConnectionCount() == 1);

      site.faults().setModbusOffline(true);

      InputStream in = socket.getInputStream();
      socket.setSoTimeout((int) LIMIT.toMillis());
      int read;
      try {
        read = in.read();
      } catch (SocketException reset) {
        read = -1;
      }
      assertThat(read).isEqualTo(-1);
      await("connection gone", () -> site.modbusConnectionCount() == 0);
    }
  }

  @Test
  void rebootPlc_dropsConnectionsAndForgetsTheBurner() throws Exception {
    try (SimulatedSite site = SimulatedSite.start(SiteConfig.defaults().withSpeed(0));
        Socket socket =
            new Socket(InetAddress.getLoopbackAddress(), site.modbusSocketAddress().getPort())) {
      site.plant().writeCoils(3, new boolean[] {true});
      await("connection registered", () -> site.modbusConnectionCount() == 1);

      site.faults().rebootPlc();

      socket.setSoTimeout((int) LIMIT.toMillis());
      int read;
      try {
        read = socket.getInputStream().read();
      } catch (SocketException reset) {
        read = -1;
      }
      assertThat(read).isEqualTo(-1);
      assertThat(site.plant().burner()).isFalse();
    }
  }

  @Test
  void close_releasesPortsAndThreads() throws Exception {
    int modbusPort;
    int coapPort;
    try (SimulatedSite site = SimulatedSite.start(SiteConfig.defaults())) {
      modbusPort = site.modbusSocketAddress().getPort();
      coapPort = site.coapSocketAddress().getPort();
    }
    SiteConfig samePorts =
        new SiteConfig(
            "again",
            1.0,
            1,
            new SiteConfig.ModbusSettings("127.0.0.1", modbusPort, 1, WordOrder.BIG),
            new SiteConfig.CoapSettings("127.0.0.1", coapPort, null, null, 0),
            SiteConfig.defaults().plant());
    try (SimulatedSite again = SimulatedSite.start(samePorts)) {
      assertThat(again.modbusSocketAddress().getPort()).isEqualTo(modbusPort);
      assertThat(again.coapSocketAddress().getPort()).isEqualTo(coapPort);
    }
    await(
        "device-sim threads end",
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().startsWith("device-sim-")));
  }

  @Test
  void start_portTaken_failsWithTheReasonAndLeavesNothingRunning() throws Exception {
    try (SimulatedSite first = SimulatedSite.start(SiteConfig.defaults())) {
      int taken = first.modbusSocketAddress().getPort();
      SiteConfig clash =
          new SiteConfig(
              "clash",
              1.0,
              1,
              new SiteConfig.ModbusSettings("127.0.0.1", taken, 1, WordOrder.BIG),
              SiteConfig.defaults().coap(),
              SiteConfig.defaults().plant());

      org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulatedSite.start(clash))
          .hasMessageContaining("Modbus TCP server")
          .hasMessageContaining(String.valueOf(taken));
    }
  }

  @Test
  void status_namesTimeTemperatureBurnerSetpointPermitAndFaults() {
    try (SimulatedSite site = SimulatedSite.start(SiteConfig.defaults().withSpeed(0))) {
      site.plant().advance(Duration.ofSeconds(75));
      site.faults().setCorruptFlow(true);

      assertThat(site.status())
          .contains("t=0:01:15")
          .contains("burner=off")
          .contains("setpoint=60.0 °C")
          .contains("permit=on")
          .contains("faults: flow NaN");
    }
  }
}
