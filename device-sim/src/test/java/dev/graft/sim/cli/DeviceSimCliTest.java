package dev.graft.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.keys.testing.DtlsTestPki;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceSimCliTest {
  @TempDir Path folder;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(CompletableFuture<?> stop, String... args) {
    return DeviceSimCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), stop);
  }

  @Test
  void site_running_printsEndpointsListensAndStopsCleanly() throws Exception {
    CompletableFuture<Void> stop = new CompletableFuture<>();
    AtomicInteger code = new AtomicInteger(-1);
    Thread runner = new Thread(() -> code.set(run(stop, "site", "--speed", "10")));
    runner.start();
    try {
      Instant deadline = Instant.now().plusSeconds(30);
      Matcher modbus = Pattern.compile("modbus-tcp://127\\.0\\.0\\.1:(\\d+)\\?unit=1").matcher("");
      // The endpoints come first, the first status line a moment later: wait for both.
      while (!modbus.reset(out.toString()).find() || !out.toString().contains("T=")) {
        assertThat(Instant.now())
            .as("endpoints and a status line printed; out: %s err: %s", out, err)
            .isBefore(deadline);
        Thread.sleep(20);
      }
      assertThat(out.toString()).contains("coap://127.0.0.1:").contains("status").contains("T=");
      try (Socket socket =
          new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(modbus.group(1)))) {
        assertThat(socket.isConnected()).isTrue();
      }
    } finally {
      stop.complete(null);
      runner.join(Duration.ofSeconds(30));
    }
    assertThat(runner.isAlive()).isFalse();
    assertThat(code.get()).isZero();
    assertThat(out.toString()).contains("device-sim: stopped");
  }

  @Test
  void site_consoleCommands_flipFaultsAndReportErrors() throws Exception {
    CompletableFuture<Void> stop = new CompletableFuture<>();
    BufferedReader console = new BufferedReader(new StringReader("modbus offline\nbogus\n"));
    AtomicInteger code = new AtomicInteger(-1);
    Thread runner =
        new Thread(() ->
            code.set(
                DeviceSimCli.run(
                    new String[] {"site", "--speed", "0"},
                    console,
                    new PrintWriter(out, true),
                    new PrintWriter(err, true),
                    stop)));
    runner.start();
    try {
      Instant deadline = Instant.now().plusSeconds(30);
      while (!(out.toString().contains("faults: modbus offline")
          && err.toString().contains("unknown command 'bogus'"))) {
        assertThat(Instant.now())
            .as("console answered; out: %s err: %s", out, err)
            .isBefore(deadline);
        Thread.sleep(20);
      }
    } finally {
      stop.complete(null);
      runner.join(Duration.ofSeconds(30));
    }
    assertThat(code.get()).isZero();
  }

  @Test
  void site_dtlsCertificate_printsWhatTheEndpointAccepts() throws Exception {
    DtlsTestPki.in(folder).ca("site-ca").device("thermostat", "site-ca", "IP:127.0.0.1");
    Path config = folder.resolve("site.yaml");
    Files.writeString(
        config,
        """
        modbus: {port: 0}
        coap:
          port: 0
          dtls:
            port: 0
            certificate:
              chain_file: thermostat.pem
              key_file: thermostat.key
              client_ca_file: site-ca.pem
        """);

    int code = run(CompletableFuture.completedFuture(null), "site", "--config", config.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .containsPattern("coaps://127\\.0\\.0\\.1:\\d+/setpoint")
        .contains("DTLS certificate CN=thermostat, clients need a certificate from CN=site-ca")
        .doesNotContain("PSK");
  }

  @Test
  void site_badConfig_clearErrorAndUsageExitCode() throws Exception {
    Path config = folder.resolve("site.yaml");
    Files.writeString(config, "modbus:\n  prot: 502\n");

    int code = run(CompletableFuture.completedFuture(null), "site", "--config", config.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("line 2").contains("unknown field 'modbus.prot'");
    assertThat(out.toString()).doesNotContain("modbus-tcp://");
  }

  @Test
  void site_missingConfig_saysWhichFile() {
    int code =
        run(
            CompletableFuture.completedFuture(null),
            "site",
            "--config",
            folder.resolve("nope.yaml").toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("nope.yaml");
  }

  @Test
  void site_help_teachesWithAnExample() {
    int code = run(CompletableFuture.completedFuture(null), "site", "--help");

    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("--config")
        .contains("Examples:")
        .contains("bin/device-sim site --config")
        .contains("mbpoll");
  }

  @Test
  void noCommand_pointsToSite() {
    int code = run(CompletableFuture.completedFuture(null));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("device-sim site --help");
  }
}
