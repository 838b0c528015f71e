package dev.graft.pkcs11.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The programs and libraries {@link SoftwareTpm} runs, found on this machine. A missing one aborts
 * the test with a message naming it and its Debian package: {@code scripts/test} installs them, so
 * a skip in CI means the package list is wrong, and the message says so loudly.
 */
record Tools(Path swtpm, Path dbusDaemon, Path abrmd, Path ptool, Path getrandom, Path module) {
  /** Overrides where the tpm2-pkcs11 module is looked for. */
  static final String MODULE_PROPERTY = "graft.tpm2-pkcs11.module";

  /** The fixture's tools, or an aborted test naming every missing one. */
  static Tools locate() {
    List<String> missing = new ArrayList<>();
    Optional<Tools> tools = find(missing);
    if (tools.isEmpty()) {
      abort(missing);
    }
    return tools.orElseThrow();
  }

  /** Why {@link #locate()} would abort, if it would: to skip each test rather than a class. */
  static Optional<String> unavailable() {
    List<String> missing = new ArrayList<>();
    return find(missing).isPresent() ? Optional.empty() : Optional.of(skipMessage(missing));
  }

  private static Optional<Tools> find(List<String> missing) {
    Optional<Path> swtpm = program("swtpm", "swtpm", missing);
    Optional<Path> dbus = program("dbus-daemon", "dbus-daemon", missing);
    Optional<Path> abrmd = program("tpm2-abrmd", "tpm2-abrmd", missing);
    Optional<Path> ptool = program("tpm2_ptool", "libtpm2-pkcs11-tools", missing);
    Optional<Path> getrandom = program("tpm2_getrandom", "tpm2-tools", missing);
    // tpm2-tss loads the TCTI of tpm2-abrmd's clients by this name; without it the library and
    // the tools fail with a bare "Failed to instantiate TCTI".
    library(List.of("libtss2-tcti-tabrmd.so.0"), "libtss2-tcti-tabrmd0", missing);
    Optional<Path> module = module(missing);
    if (!missing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Tools(
            swtpm.orElseThrow(),
            dbus.orElseThrow(),
            abrmd.orElseThrow(),
            ptool.orElseThrow(),
            getrandom.orElseThrow(),
            module.orElseThrow()));
  }

  /** A program a test needs besides the fixture's own (pkcs11-tool, openssl), or a loud abort. */
  static Path require(String name, String debianPackage) {
    List<String> missing = new ArrayList<>();
    Optional<Path> found = program(name, debianPackage, missing);
    if (found.isEmpty()) {
      abort(missing);
    }
    return found.orElseThrow();
  }

  private static void abort(List<String> missing) {
    String message = skipMessage(missing);
    announce(message);
    Assumptions.abort(message);
  }

  static String skipMessage(List<String> missing) {
    return "SKIPPED: SoftwareTpm tests need "
        + String.join(", ", missing)
        + ". Install them (scripts/install-packages, run by scripts/test, reads"
        + " scripts/packages.txt); these TPM tests did NOT run.";
  }

  /** On stderr too: surefire's summary does not show why a test was skipped. */
  static void announce(String message) {
    System.err.println("*".repeat(78) + "\n" + message + "\n" + "*".repeat(78));
  }

  /** The tpm2-pkcs11 PKCS#11 module, where Debian puts it for this architecture. */
  private static Optional<Path> module(List<String> missing) {
    String override = System.getProperty(MODULE_PROPERTY);
    if (override != null) {
      Path path = Path.of(override);
      if (Files.isReadable(path)) {
        return Optional.of(path);
      }
      missing.add(
          "the tpm2-pkcs11 module at " + path + " (system property " + MODULE_PROPERTY + ")");
      return Optional.empty();
    }
    return library(
        List.of("pkcs11/libtpm2_pkcs11.so", "libtpm2_pkcs11.so.1"), "libtpm2-pkcs11-1", missing);
  }

  private static Optional<Path> program(String name, String debianPackage, List<String> missing) {
    String path = System.getenv().getOrDefault("PATH", "");
    // tpm2-abrmd lives in /usr/sbin, which is not on every user's PATH.
    Optional<Path> found =
        Stream.concat(
                Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty()),
                Stream.of("/usr/local/sbin", "/usr/sbin", "/sbin"))
            .map(dir -> Path.of(dir, name))
            .filter(Files::isExecutable)
            .findFirst();
    if (found.isEmpty()) {
      missing.add(name + " (Debian package " + debianPackage + ")");
    }
    return found;
  }

  private static Optional<Path> library(
      List<String> names, String debianPackage, List<String> missing) {
    Optional<Path> found =
        libraryDirectories()
            .flatMap(dir -> names.stream().map(dir::resolve))
            .filter(Files::isReadable)
            .findFirst();
    if (found.isEmpty()) {
      missing.add(names.getFirst() + " (Debian package " + debianPackage + ")");
    }
    return found;
  }

  private static Stream<Path> libraryDirectories() {
    String multiarch =
        switch (System.getProperty("os.arch")) {
          case "amd64", "x86_64" -> "x86_64-linux-gnu";
          case "aarch64", "arm64" -> "aarch64-linux-gnu";
          default -> System.getProperty("os.arch") + "-linux-gnu";
        };
    return Stream.of("/usr/lib/" + multiarch, "/usr/lib64", "/usr/lib", "/usr/local/lib")
        .map(Path::of);
  }
}
