package dev.graft.transport.testing;

import dev.graft.transport.TlsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made with the {@code openssl} command, the same way {@code
 * deploy/mosquitto/README.md} tells operators to: an EC P-256 CA, a broker certificate for {@code
 * localhost}/{@code 127.0.0.1}, and client certificates whose CN is the MQTT identity ({@code
 * use_identity_as_username}).
 */
public final class TestPki {
  private final Path directory;

  private TestPki(Path directory) {
    this.directory = directory;
  }

  /** Creates the CA and the broker certificate in {@code directory}. */
  public static TestPki create(Path directory) {
    TestPki pki = new TestPki(directory);
    pki.openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-noenc",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=graft-test-ca");
    pki.issue("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    return pki;
  }

  /** Issues a client certificate whose CN is {@code identity}; returns the TLS options for it. */
  public TlsOptions.Pem client(String identity) {
    issue("client-" + identity, identity, "extendedKeyUsage=clientAuth");
    return new TlsOptions.Pem(
        directory.resolve("ca.pem"),
        directory.resolve("client-" + identity + ".pem"),
        directory.resolve("client-" + identity + ".key"));
  }

  /**
   * The same identity as PKCS#12 key stores: {@code client-ID.p12} (key and chain, made by {@code
   * openssl pkcs12}) and {@code trust.p12} (the CA, made by {@code keytool}).
   */
  public TlsOptions.KeyStores clientKeyStores(String identity, char[] password) {
    TlsOptions.Pem pem = client(identity);
    String pass = "pass:" + new String(password);
    openssl(
        "pkcs12",
        "-export",
        "-in",
        pem.clientCertificate().getFileName().toString(),
        "-inkey",
        pem.clientKey().getFileName().toString(),
        "-name",
        identity,
        "-out",
        "client-" + identity + ".p12",
        "-passout",
        pass);
    run(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-importcert",
            "-noprompt",
            "-alias",
            "graft-ca",
            "-file",
            "ca.pem",
            "-keystore",
            "trust.p12",
            "-storetype",
            "PKCS12",
            "-storepass",
            new String(password)));
    return new TlsOptions.KeyStores(
        directory.resolve("trust.p12"),
        password,
        directory.resolve("client-" + identity + ".p12"),
        password);
  }

  /** A broker certificate for another host name (to prove host names are checked). */
  public MosquittoBroker.Tls brokerTlsFor(String hostName) {
    issue("server-" + hostName, hostName, "subjectAltName=DNS:" + hostName);
    return new MosquittoBroker.Tls(
        directory.resolve("ca.pem"),
        directory.resolve("server-" + hostName + ".pem"),
        directory.resolve("server-" + hostName + ".key"));
  }

  public MosquittoBroker.Tls brokerTls() {
    return new MosquittoBroker.Tls(
        directory.resolve("ca.pem"),
        directory.resolve("server.pem"),
        directory.resolve("server.key"));
  }

  private void issue(String name, String commonName, String extension) {
    try {
      Files.writeString(directory.resolve(name + ".ext"), extension + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
        "/CN=" + commonName);
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-extfile",
        name + ".ext");
  }

  private void openssl(String... arguments) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(arguments));
    run(command);
  }

  private void run(List<String> command) {
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
