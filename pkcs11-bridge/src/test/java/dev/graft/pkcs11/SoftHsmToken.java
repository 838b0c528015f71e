package dev.graft.pkcs11;

import static org.junit.jupiter.api.Assertions.fail;

import dev.graft.pkcs11.internal.ModuleRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh SoftHSM2 token for one test class, in its own token directory. Register it with
 * {@code @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("label");}.
 *
 * <h2>How the configuration reaches SoftHSM2</h2>
 *
 * SoftHSM2 reads the path of its configuration file from the {@code SOFTHSM2_CONF} environment
 * variable, which a running JVM cannot change for itself. So surefire sets {@code SOFTHSM2_CONF}
 * for the forked test JVM to one fixed file, {@code target/softhsm/softhsm2.conf} (see this
 * module's pom). Before each test class this fixture creates a new directory under {@code
 * target/softhsm/}, initialises a token there with {@code softhsm2-util} (run with {@code
 * SOFTHSM2_CONF} pointing at the class's own copy of the configuration), and rewrites the fixed
 * file to point at the same directory. SoftHSM2 reads its configuration at {@code C_Initialize}, so
 * the next {@link Pkcs11Module#open} in the JVM sees exactly this class's token.
 *
 * <p>That works only if no one holds SoftHSM2 initialised across the switch, so the fixture refuses
 * to start while the module is still open in this JVM, and fails the class if its tests leave it
 * open (a forgotten {@code close()} would otherwise leak into the next class). Test classes using
 * this fixture must therefore not run concurrently in one JVM; JUnit runs classes one after another
 * unless parallel execution is switched on, which this module does not do.
 *
 * <p>When SoftHSM2 is not installed, the class is skipped with a loud message; the README's test
 * command installs it, so in CI nothing is skipped.
 */
public final class SoftHsmToken implements BeforeAllCallback, AfterAllCallback {
  public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  public static final String CONF_VARIABLE = "SOFTHSM2_CONF";
  private static final String SO_PIN = "so-secret-4711";
  private static final String USER_PIN = "user-secret-0815";

  private final String label;
  private @Nullable Path directory;

  public SoftHsmToken(String label) {
    this.label = label;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (!Files.isReadable(MODULE) || !onPath("softhsm2-util")) {
      String message =
          "SKIPPED "
              + context.getDisplayName()
              + ": SoftHSM2 is not installed (Debian package softhsm2; "
              + MODULE
              + " and softhsm2-util are needed)";
      System.err.println("*** " + message + " ***");
      Assumptions.abort(message);
    }
    String shared = System.getenv(CONF_VARIABLE);
    if (shared == null || shared.isBlank()) {
      fail(
          CONF_VARIABLE
              + " is not set. Run the tests through Maven, whose surefire configuration sets it to"
              + " target/softhsm/softhsm2.conf, or set it yourself to a writable file path.");
    }
    if (ModuleRegistry.users(MODULE) > 0) {
      fail(
          "SoftHSM2 is still initialised in this JVM (an earlier test left a Pkcs11Module open);"
              + " a new token directory takes effect only at the next C_Initialize");
    }
    Path sharedConf = Path.of(shared).toAbsolutePath();
    Files.createDirectories(sharedConf.getParent());
    Path dir =
        Files.createTempDirectory(
            sharedConf.getParent(), context.getRequiredTestClass().getSimpleName() + "-");
    directory = dir;
    Path tokens = Files.createDirectory(dir.resolve("tokens"));
    String config =
        "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n";
    Files.writeString(configFile(), config, StandardCharsets.UTF_8);
    Path staged = Files.createTempFile(sharedConf.getParent(), "softhsm2", ".conf");
    Files.writeString(staged, config, StandardCharsets.UTF_8);
    Files.move(
        staged, sharedConf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    ToolRun init =
        run(
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--so-pin",
            SO_PIN,
            "--pin",
            USER_PIN);
    if (init.exitCode() != 0) {
      fail("softhsm2-util --init-token failed (exit " + init.exitCode() + "):\n" + init.output());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    int users = ModuleRegistry.users(MODULE);
    Path dir = directory;
    directory = null;
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
    if (users > 0) {
      fail(
          context.getDisplayName()
              + " left SoftHSM2 initialised ("
              + users
              + " Pkcs11Module(s) not closed)");
    }
  }

  public Path modulePath() {
    return MODULE;
  }

  public String label() {
    return label;
  }

  /** A fresh copy each time, since {@link TokenSession#login} clears the array it is given. */
  public char[] userPin() {
    return USER_PIN.toCharArray();
  }

  /** The user PIN as text, for command lines of tools and for "not in the message" checks. */
  public String userPinText() {
    return USER_PIN;
  }

  /** This class's own SoftHSM2 configuration file, for tools run with {@link #run}. */
  public Path configFile() {
    return requireDirectory().resolve("softhsm2.conf");
  }

  /** Opens the module and the token, logged in: the usual start of a test. */
  public TokenSession openLoggedIn(Pkcs11Module module) {
    TokenSession session = module.tokenLabelled(label).openSession();
    try {
      session.login(userPin());
      return session;
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** The exit code and combined output of a command run against this class's token. */
  public record ToolRun(int exitCode, String output) {}

  /**
   * Runs a command (softhsm2-util, pkcs11-tool, …) with {@code SOFTHSM2_CONF} pointing at this
   * class's configuration, and waits up to 30 seconds for it.
   */
  public ToolRun run(String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
    builder.environment().put(CONF_VARIABLE, configFile().toString());
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(String.join(" ", command) + " did not finish within 30 s");
    }
    return new ToolRun(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private Path requireDirectory() {
    Path dir = directory;
    if (dir == null) {
      throw new IllegalStateException("SoftHsmToken is used outside its test class's lifetime");
    }
    return dir;
  }

  static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    return Pattern.compile(Pattern.quote(File.pathSeparator))
        .splitAsStream(path)
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, tool))
        .anyMatch(Files::isExecutable);
  }
}
