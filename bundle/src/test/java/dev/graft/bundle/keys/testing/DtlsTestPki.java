package dev.graft.bundle.keys.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI for DTLS tests, made with the {@code openssl} command the way an operator would
 * (and the way transport's MQTT test PKI does): EC P-256 CAs, device certificates naming the
 * device's address, and gateway client certificates. Every file is PEM; keys are PKCS#8.
 */
public final class DtlsTestPki {
  private final Path directory;

  /**
   * One issued identity: its PKCS#8 key, its certificate, and the CA certificate that issued it.
   */
  public record Issued(Path key, Path certificate, Path ca) {}

  private DtlsTestPki(Path directory) {
    this.directory = directory;
  }

  public static DtlsTestPki in(Path directory) {
    return new DtlsTestPki(directory);
  }

  /** Creates a self-signed CA named {@code name}: {@code name.pem} and {@code name.key}. */
  public DtlsTestPki ca(String name) {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-noenc",
        "-keyout",
        name + ".key",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-subj",
        "/CN=" + name,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
    return this;
  }

  /**
   * A device (DTLS server) certificate from {@code ca} whose subject alternative names are {@code
   * san}.
   */
  public Issued device(String name, String ca, String san) {
    return issue(name, ca, "extendedKeyUsage=serverAuth\nsubjectAltName=" + san);
  }

  /** A gateway (DTLS client) certificate from {@code ca}. */
  public Issued gateway(String name, String ca) {
    return issue(name, ca, "extendedKeyUsage=clientAuth");
  }

  private Issued issue(String name, String ca, String extensions) {
    write(name + ".ext", "keyUsage=critical,digitalSignature\n" + extensions + "\n");
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-noenc",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + name);
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".pem",
        "-CAkey",
        ca + ".key",
        "-CAcreateserial",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-extfile",
        name + ".ext");
    return new Issued(
        directory.resolve(name + ".key"),
        directory.resolve(name + ".pem"),
        directory.resolve(ca + ".pem"));
  }

  private void write(String file, String text) {
    try {
      Files.writeString(directory.resolve(file), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void openssl(String... arguments) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(arguments));
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed:\n" + new String(output, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
