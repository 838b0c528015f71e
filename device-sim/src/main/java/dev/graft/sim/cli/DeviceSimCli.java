package dev.graft.sim.cli;

import dev.graft.sim.DtlsCertificate;
import dev.graft.sim.Psk;
import dev.graft.sim.SimulatedSite;
import dev.graft.sim.SiteConfig;
import dev.graft.sim.SiteConfigException;
import dev.graft.sim.SiteConfigReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code device-sim}: runs simulated field devices for trying Graft without a plant. */
@Command(
    name = "device-sim",
    mixinStandardHelpOptions = true,
    version = "device-sim 0.1.0",
    description =
        "Simulated field devices for Graft: a Modbus TCP boiler PLC and a CoAP thermostat.",
    subcommands = {DeviceSimCli.Site.class, CommandLine.HelpCommand.class},
    footer = {
      "",
      "Example:",
      "  bin/device-sim site --config device-sim/examples/site.yaml",
      "  mbpoll -m tcp -a 1 -0 -t 3 -r 0 -1 -p <port> 127.0.0.1   # read the temperature"
    })
public final class DeviceSimCli implements Callable<Integer> {
  private final PrintWriter err;

  private DeviceSimCli(PrintWriter err) {
    this.err = err;
  }

  @Override
  public Integer call() {
    err.println("device-sim: name a command; try 'device-sim site --help'");
    return 2;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    CompletableFuture<Void> stop = new CompletableFuture<>();
    CountDownLatch stopped = new CountDownLatch(1);
    // Ctrl-C: let the site close its servers before the JVM goes.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.complete(null);
                  try {
                    stopped.await(5, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "device-sim-stop"));
    int code;
    try {
      code =
          run(
              args,
              new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
              out,
              err,
              stop);
    } finally {
      stopped.countDown();
    }
    if (!stop.isDone()) {
      System.exit(code);
    }
  }

  /**
   * Runs the command line in-process; a running site stops when {@code stop} completes.
   *
   * @return the exit code: 0 on success, 1 if the site could not start, 2 on a usage error
   */
  public static int run(
      String[] args, PrintWriter out, PrintWriter err, CompletableFuture<?> stop) {
    return run(args, null, out, err, stop);
  }

  /**
   * Runs the command line in-process with a console: each line read from {@code in} while a site
   * runs is a command (see {@code help}) that flips a fault switch.
   */
  public static int run(
      String[] args,
      @Nullable BufferedReader in,
      PrintWriter out,
      PrintWriter err,
      CompletableFuture<?> stop) {
    CommandLine commandLine =
        new CommandLine(
            new DeviceSimCli(err),
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> type) throws Exception {
                if (type == Site.class) {
                  return type.cast(new Site(in, out, err, stop));
                }
                return CommandLine.defaultFactory().create(type);
              }
            });
    commandLine.setOut(out);
    commandLine.setErr(err);
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** {@code device-sim site}: starts a site and prints its endpoints and status. */
  @Command(
      name = "site",
      mixinStandardHelpOptions = true,
      description = {
        "Starts a simulated boiler site: a Modbus TCP PLC (temperature in input register 0,"
            + " 0.1 °C per count; flow float in input registers 2..3; update permit in discrete"
            + " input 0; burner in coil 3; watchdog seconds in holding register 10) and a CoAP"
            + " thermostat (/setpoint, text/plain °C, GET/PUT/Observe; DTLS with a PSK and/or"
            + " certificates if configured).",
        "Prints the endpoints, then a status line every few seconds; Ctrl-C stops it."
      },
      footer = {
        "",
        "Examples:",
        "  bin/device-sim site                       # the default site on free ports",
        "  bin/device-sim site --config device-sim/examples/site.yaml --speed 10",
        "",
        "Then, from another shell (ports as printed):",
        "  mbpoll -m tcp -a 1 -0 -t 3 -r 0 -1 -p 5020 127.0.0.1          # temperature ×10",
        "  mbpoll -m tcp -a 1 -0 -t 0 -r 3 -p 5020 127.0.0.1 1            # burner on",
        "  coap-client-notls -m get coap://127.0.0.1:5683/setpoint",
        "  coap-client-notls -m put -t 0 -e 65.0 coap://127.0.0.1:5683/setpoint"
      })
  static final class Site implements Callable<Integer> {
    private final @Nullable BufferedReader in;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CompletableFuture<?> stop;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "site configuration (YAML); without it, the built-in default site")
    @Nullable Path config;

    @Option(
        names = "--speed",
        paramLabel = "FACTOR",
        description = "simulated seconds per real second, overrides the file (0 = clock stopped)")
    @Nullable Double speed;

    @Option(names = "--seed", paramLabel = "N", description = "noise seed, overrides the file")
    @Nullable Long seed;

    @Option(
        names = "--status-every",
        paramLabel = "SECONDS",
        defaultValue = "5",
        description = "seconds between status lines (default: ${DEFAULT-VALUE}; 0 = none)")
    int statusSeconds;

    Site(@Nullable BufferedReader in, PrintWriter out, PrintWriter err, CompletableFuture<?> stop) {
      this.in = in;
      this.out = out;
      this.err = err;
      this.stop = stop;
    }

    @Override
    public Integer call() throws InterruptedException {
      SiteConfig site;
      try {
        site = config != null ? new SiteConfigReader().read(config) : SiteConfig.defaults();
        if (speed != null) {
          site = site.withSpeed(speed);
        }
        if (seed != null) {
          site = site.withSeed(seed);
        }
      } catch (SiteConfigException | IllegalArgumentException e) {
        err.println("device-sim: " + e.getMessage());
        return 2;
      }
      if (statusSeconds < 0) {
        err.println("device-sim: --status-every must not be negative");
        return 2;
      }
      SimulatedSite running;
      try {
        running = SimulatedSite.start(site);
      } catch (RuntimeException e) {
        err.println("device-sim: cannot start the site: " + e.getMessage());
        return 1;
      }
      try (running) {
        out.printf(
            "device-sim: site '%s' running at %s× speed, seed %d%n",
            site.name(), site.speed(), site.seed());
        out.println("  boiler-plc  " + running.modbusAddress());
        out.println("  thermostat  " + running.coapAddress() + "/setpoint");
        Optional<String> coaps = running.coapsAddress();
        if (coaps.isPresent()) {
          out.println("  thermostat  " + coaps.get() + "/setpoint  (" + dtlsSummary(site) + ")");
        }
        out.println("  status      " + running.status());
        BufferedReader console = in;
        if (console != null) {
          out.println("  type 'help' and Enter for the fault switches");
          startConsole(console, new SiteConsole(running));
        }
        out.flush();
        waitForStop(running);
        out.println("device-sim: stopped");
        out.flush();
      }
      return 0;
    }

    // A daemon thread: a read from the terminal cannot be interrupted, and must not keep the
    // JVM alive after Ctrl-C.
    private void startConsole(BufferedReader console, SiteConsole commands) {
      Thread reader =
          new Thread(
              () -> {
                try {
                  String line;
                  while (!stop.isDone() && (line = console.readLine()) != null) {
                    try {
                      String answer = commands.execute(line);
                      synchronized (out) {
                        out.println(answer);
                        out.flush();
                      }
                    } catch (IllegalArgumentException e) {
                      synchronized (err) {
                        err.println("device-sim: " + e.getMessage());
                        err.flush();
                      }
                    }
                  }
                } catch (IOException e) {
                  synchronized (err) {
                    err.println("device-sim: console closed: " + e.getMessage());
                  }
                }
              },
              "device-sim-console");
      reader.setDaemon(true);
      reader.start();
    }

    /** What the DTLS endpoint accepts, e.g. "DTLS PSK identity gw; certificate CN=thermostat". */
    private static String dtlsSummary(SiteConfig site) {
      List<String> parts = new ArrayList<>();
      Psk psk = site.coap().psk();
      if (psk != null) {
        parts.add("DTLS PSK identity " + psk.identity());
      }
      DtlsCertificate certificate = site.coap().certificate();
      if (certificate != null) {
        parts.add(
            "DTLS certificate "
                + certificate.subject()
                + ", clients need a certificate from "
                + certificate.clientCaSubjects());
      }
      return String.join("; ", parts);
    }

    private void waitForStop(SimulatedSite running) throws InterruptedException {
      while (true) {
        try {
          if (statusSeconds == 0) {
            stop.get();
          } else {
            stop.get(statusSeconds, TimeUnit.SECONDS);
          }
          return;
        } catch (TimeoutException e) {
          out.println("  status      " + running.status());
          out.flush();
        } catch (ExecutionException e) {
          return;
        }
      }
    }
  }
}
