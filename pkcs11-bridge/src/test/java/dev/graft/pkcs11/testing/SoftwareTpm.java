package dev.graft.pkcs11.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A PKCS#11 token backed by a software TPM, for tests: {@code swtpm}, a private D-Bus with {@code
 * tpm2-abrmd} as the TPM resource manager, and a tpm2-pkcs11 store made by {@code tpm2_ptool}
 * holding one token and, if asked for, an ECDSA P-256 key. {@link #close()} stops every process it
 * started and deletes its directory, also after a failed start.
 *
 * <p>Why a resource manager: a TPM holds only three transient objects, and without a resource
 * manager every TPM client process leaves its objects loaded. {@code tpm2_ptool} runs one {@code
 * tpm2_*} tool per step and fails in {@code addtoken} with "out of memory for object contexts" when
 * it talks to swtpm directly; two PKCS#11 consumers logging in at the same time fail the same way.
 * Behind {@code tpm2-abrmd} both work, as on a gateway with the kernel's {@code /dev/tpmrm0}.
 *
 * <p>The consumer reaches the token through {@link #environment()}: a child process gets it in its
 * environment ({@link #processBuilder}); a library loaded into this JVM reads the same variables
 * with {@code getenv} at {@code C_Initialize}, so set them with {@link NativeEnvironment} first.
 *
 * <p>The PINs are passed to {@code tpm2_ptool} on its command line, visible to local users while it
 * runs: test PINs only.
 */
public final class SoftwareTpm implements AutoCloseable {
  /** CK_TOKEN_INFO holds 32 bytes, and tpm2-pkcs11 1.9 keeps only the first 31 of them. */
  private static final int MAX_LABEL_BYTES = 31;

  /** sockaddr_un.sun_path is 108 bytes including the terminating NUL. */
  private static final int MAX_SOCKET_PATH_BYTES = 107;

  private static final Duration STOP_GRACE = Duration.ofSeconds(3);
  private static final int STDERR_TAIL_CHARS = 2_000;

  private final String tokenLabel;
  private final String soPin;
  private final String userPin;
  private final @Nullable String keyLabel;
  private final Duration timeout;
  private final Tools tools;
  private final Path directory;
  private final Path logs;
  private final Map<String, String> environment;
  private final List<Process> daemons = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private SoftwareTpm(Builder builder, Tools tools, Path directory) {
    this.tokenLabel = builder.tokenLabel;
    this.soPin = builder.soPin;
    this.userPin = builder.userPin;
    this.keyLabel = builder.keyLabel;
    this.timeout = builder.timeout;
    this.tools = tools;
    this.directory = directory;
    this.logs = directory.resolve("logs");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TPM2_PKCS11_STORE", store().toString());
    env.put("TPM2_PKCS11_TCTI", "tabrmd:bus_type=session");
    // esysdb is the default; set it so an inherited "fapi" cannot point the library elsewhere.
    env.put("TPM2_PKCS11_BACKEND", "esysdb");
    env.put("TPM2TOOLS_TCTI", "tabrmd:bus_type=session");
    env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + busSocket());
    this.environment = Map.copyOf(env);
    this.shutdownHook = new Thread(this::closeQuietly, "software-tpm-cleanup " + directory);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The tpm2-pkcs11 module that consumers load. */
  public Path modulePath() {
    return tools.module();
  }

  /**
   * What a consumer needs in its environment: the store, the TCTI of the library and of the {@code
   * tpm2_*} tools, and the address of the private bus on which {@code tpm2-abrmd} listens.
   */
  public Map<String, String> environment() {
    return environment;
  }

  public String tokenLabel() {
    return tokenLabel;
  }

  public String userPin() {
    return userPin;
  }

  public String soPin() {
    return soPin;
  }

  /** The label of the ECDSA P-256 key made at start, if one was asked for. */
  public Optional<String> keyLabel() {
    return Optional.ofNullable(keyLabel);
  }

  /** Everything of this fixture on disk: TPM state, store, sockets, logs. */
  public Path directory() {
    return directory;
  }

  /** The daemons this fixture started, in start order: swtpm, dbus-daemon, tpm2-abrmd. */
  public List<ProcessHandle> processes() {
    synchronized (daemons) {
      return daemons.stream().map(Process::toHandle).toList();
    }
  }

  /** A process builder for {@code command} whose environment reaches this token. */
  public ProcessBuilder processBuilder(String... command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    return builder;
  }

  private Path store() {
    return directory.resolve("store");
  }

  private Path state() {
    return directory.resolve("state");
  }

  private Path swtpmSocket() {
    return directory.resolve("swtpm.sock");
  }

  private Path busSocket() {
    return directory.resolve("bus");
  }

  private void start() throws IOException {
    for (Path socket : List.of(swtpmSocket(), Path.of(swtpmSocket() + ".ctrl"), busSocket())) {
      if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
        throw new IllegalStateException(
            "socket path "
                + socket
                + " is longer than a Unix socket allows; point java.io.tmpdir at a shorter"
                + " directory");
      }
    }
    Files.createDirectories(state());
    Files.createDirectories(store());
    Files.createDirectories(logs);

    Process swtpm =
        launch(
            "swtpm",
            List.of(
                tools.swtpm().toString(),
                "socket",
                "--tpm2",
                "--tpmstate",
                "dir=" + state(),
                "--server",
                "type=unixio,path=" + swtpmSocket(),
                "--ctrl",
                "type=unixio,path=" + swtpmSocket() + ".ctrl",
                // Power on and TPM2_Startup(CLEAR) by itself: nothing else has to speak the
                // control channel.
                "--flags",
                "not-need-init,startup-clear"));
    awaitReady("swtpm", swtpm, () -> accepts(swtpmSocket()));

    Process bus =
        launch(
            "dbus-daemon",
            List.of(
                tools.dbusDaemon().toString(),
                "--session",
                "--nofork",
                "--nopidfile",
                "--address=unix:path=" + busSocket(),
                "--print-address=1"));
    // dbus-daemon prints its address once it listens.
    awaitReady("dbus-daemon", bus, () -> hasOutput("dbus-daemon"));

    Process abrmd =
        launch(
            "tpm2-abrmd",
            List.of(
                tools.abrmd().toString(),
                "--session",
                // Root in containers and CI; the flag changes nothing for other users.
                "--allow-root",
                "--tcti=swtpm:path=" + swtpmSocket()));
    awaitReady("tpm2-abrmd", abrmd, this::answersThroughBroker);

    ptool("init", List.of("init", "--path", store().toString()));
    ptool(
        "addtoken",
        List.of(
            "addtoken",
            "--pid=1",
            "--sopin=" + soPin,
            "--userpin=" + userPin,
            "--label=" + tokenLabel,
            "--path",
            store().toString()));
    if (keyLabel != null) {
      ptool(
          "addkey",
          List.of(
              "addkey",
              "--algorithm=ecc256",
              "--label=" + tokenLabel,
              "--userpin=" + userPin,
              "--key-label=" + keyLabel,
              "--path",
              store().toString()));
    }
  }

  private Process launch(String name, List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    builder.redirectOutput(logs.resolve(name + ".out").toFile());
    builder.redirectError(logs.resolve(name + ".err").toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process process = builder.start();
    synchronized (daemons) {
      daemons.add(process);
    }
    return process;
  }

  private void awaitReady(String name, Process process, BooleanSupplier ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited with status "
                + process.exitValue()
                + " before it was ready; its stderr: "
                + stderrOf(name));
      }
      if (ready.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            name + " was not ready within " + timeout + "; its stderr: " + stderrOf(name));
      }
      sleep(Duration.ofMillis(10));
    }
  }

  private static boolean accepts(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException notYetListening) {
      return false;
    }
  }

  private boolean hasOutput(String name) {
    try {
      return Files.size(logs.resolve(name + ".out")) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** The broker is ready once a TPM command goes through it to swtpm and back. */
  private boolean answersThroughBroker() {
    ProcessBuilder builder =
        new ProcessBuilder(tools.getrandom().toString(), "--hex", "4")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(environment);
    // Until the broker owns its bus name every attempt fails; keep those failures out of the log.
    builder.environment().put("TSS2_LOG", "all+NONE");
    try {
      Process probe = builder.start();
      if (!probe.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stopTree(probe);
        return false;
      }
      return probe.exitValue() == 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + tools.getrandom(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for tpm2-abrmd", e);
    }
  }

  /** Runs one tpm2_ptool step; errors name the step, never the command line with its PINs. */
  private void ptool(String step, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(tools.ptool().toString());
    command.addAll(arguments);
    String name = "tpm2_ptool-" + step;
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    builder.redirectOutput(logs.resolve(name + ".out").toFile());
    builder.redirectError(logs.resolve(name + ".err").toFile());
    Process process = builder.start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stopTree(process);
        throw new IllegalStateException(
            "tpm2_ptool " + step + " did not finish within " + timeout + "; " + stderrOf(name));
      }
    } catch (InterruptedException e) {
      stopTree(process);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during tpm2_ptool " + step, e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "tpm2_ptool "
              + step
              + " failed with status "
              + process.exitValue()
              + "; its stderr: "
              + stderrOf(name));
    }
  }

  /** The tail of a process's stderr, with the PINs blanked out. */
  private String stderrOf(String name) {
    String text;
    try {
      text = Files.readString(logs.resolve(name + ".err"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
    text = text.replace(soPin, "<so-pin>").replace(userPin, "<user-pin>").strip();
    if (text.isEmpty()) {
      return "(empty)";
    }
    return text.length() <= STDERR_TAIL_CHARS
        ? text
        : "…" + text.substring(text.length() - STDERR_TAIL_CHARS);
  }

  /**
   * Stops the daemons, newest first (the broker before the bus and the TPM it uses), and deletes
   * the directory. Runs once; a second call does nothing.
   *
   * @throws IllegalStateException if a process survived or the directory could not be deleted,
   *     after trying everything else
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<String> problems = new ArrayList<>();
    List<Process> started;
    synchronized (daemons) {
      started = List.copyOf(daemons.reversed());
    }
    for (Process process : started) {
      if (!stopTree(process)) {
        problems.add("process " + process.pid() + " is still running");
      }
    }
    try {
      deleteRecursively(directory);
    } catch (IOException | UncheckedIOException e) {
      problems.add("cannot delete " + directory + ": " + e.getMessage());
    }
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shutdownInProgress) {
        // The hook runs anyway and finds the fixture closed.
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("SoftwareTpm cleanup incomplete: " + problems);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
    }
  }

  /** SIGTERM, then SIGKILL after a grace period; children first. Returns whether all are gone. */
  private static boolean stopTree(Process process) {
    boolean stopped = true;
    for (ProcessHandle child : process.descendants().toList()) {
      stopped &= stop(child);
    }
    return stop(process.toHandle()) && stopped;
  }

  private static boolean stop(ProcessHandle process) {
    if (!process.isAlive()) {
      return true;
    }
    process.destroy();
    if (awaitExit(process, STOP_GRACE)) {
      return true;
    }
    process.destroyForcibly();
    return awaitExit(process, STOP_GRACE);
  }

  private static boolean awaitExit(ProcessHandle process, Duration limit) {
    try {
      process.onExit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException e)
              throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting SoftwareTpm", e);
    }
  }

  /**
   * A start that failed; by the time it is thrown, the processes it names have been stopped and its
   * directory deleted.
   */
  public static final class StartFailedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient Path directory;
    private final transient List<ProcessHandle> startedProcesses;

    StartFailedException(
        String message, Throwable cause, Path directory, List<ProcessHandle> startedProcesses) {
      super(message, cause);
      this.directory = directory;
      this.startedProcesses = List.copyOf(startedProcesses);
    }

    public Path directory() {
      return directory;
    }

    /** The daemons that had been started when the start failed. */
    public List<ProcessHandle> startedProcesses() {
      return startedProcesses;
    }
  }

  /** Options of a token; {@link #start()} brings it up. */
  public static final class Builder {
    private String tokenLabel = "graft-gw";
    private String soPin = "so-pin-0000";
    private String userPin = "user-pin-0000";
    private @Nullable String keyLabel;
    private Duration timeout = Duration.ofSeconds(15);

    private Builder() {}

    /** At most 31 UTF-8 bytes: tpm2-pkcs11 cuts longer labels without telling. */
    public Builder tokenLabel(String label) {
      if (label.isEmpty() || label.getBytes(StandardCharsets.UTF_8).length > MAX_LABEL_BYTES) {
        throw new IllegalArgumentException(
            "token label must be 1 to "
                + MAX_LABEL_BYTES
                + " UTF-8 bytes (tpm2-pkcs11 truncates longer ones); got "
                + label.getBytes(StandardCharsets.UTF_8).length);
      }
      this.tokenLabel = label;
      return this;
    }

    /** tpm2_ptool accepts an empty PIN; a fixture that did would test nothing real. */
    public Builder soPin(String pin) {
      this.soPin = requirePin(pin, "SO PIN");
      return this;
    }

    public Builder userPin(String pin) {
      this.userPin = requirePin(pin, "user PIN");
      return this;
    }

    /** Also make an ECDSA P-256 key pair with this label ({@code tpm2_ptool addkey}). */
    public Builder ecdsaKey(String label) {
      if (label.isEmpty()) {
        throw new IllegalArgumentException("key label must not be empty");
      }
      this.keyLabel = label;
      return this;
    }

    /**
     * How long each daemon may take to become ready and each tpm2_ptool step to finish (default 15
     * s; a start takes about a second).
     */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must not be negative: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Starts the token. A missing tool aborts the calling test (JUnit assumption) with a message
     * naming the tool and its Debian package.
     *
     * @throws StartFailedException if a process failed to start or a step failed; everything
     *     started so far has been stopped and deleted
     */
    public SoftwareTpm start() {
      Tools tools = Tools.locate();
      Path directory;
      try {
        directory = Files.createTempDirectory("graft-swtpm-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a directory for SoftwareTpm", e);
      }
      SoftwareTpm tpm = new SoftwareTpm(this, tools, directory);
      Runtime.getRuntime().addShutdownHook(tpm.shutdownHook);
      try {
        tpm.start();
        return tpm;
      } catch (IOException | RuntimeException e) {
        List<ProcessHandle> started = tpm.processes();
        StartFailedException failure =
            new StartFailedException(
                "SoftwareTpm could not start: " + e.getMessage(), e, directory, started);
        try {
          tpm.close();
        } catch (RuntimeException cleanup) {
          failure.addSuppressed(cleanup);
        }
        throw failure;
      } catch (Error e) {
        tpm.closeQuietly();
        throw e;
      }
    }

    private static String requirePin(String pin, String what) {
      if (pin.isEmpty()) {
        throw new IllegalArgumentException(what + " must not be empty");
      }
      return pin;
    }
  }
}
