package dev.graft.pkcs11;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS server on 127.0.0.1 (an ephemeral port) standing in for the broker: its certificate is
 * issued by a {@link TestCa}, it requires client authentication, trusts only that CA's client
 * certificates, and serves one connection: it reads a line and answers with the client
 * certificate's subject and the line.
 */
final class TlsTestServer implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 10_000;

  /** By address: the client checks it against the server certificate's IP address entry. */
  private static final String HOST = "127.0.0.1";

  private static final char[] STORE_PASSWORD = "store".toCharArray();

  /** What the server saw of the one connection. */
  sealed interface Outcome {
    record Served(String clientSubject, String protocol, String line) implements Outcome {}

    record Refused(Exception failure) implements Outcome {}
  }

  private final SSLServerSocket socket;
  private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

  private TlsTestServer(SSLServerSocket socket) {
    this.socket = socket;
  }

  /** Starts serving one connection with {@code protocol} ("TLSv1.3" or "TLSv1.2") only. */
  static TlsTestServer start(TestCa ca, String protocol) throws Exception {
    KeyPair keys = TestCa.ecKeyPair();
    X509Certificate certificate = ca.issueServerCertificate(keys.getPublic());
    KeyStore identity = KeyStore.getInstance("PKCS12");
    identity.load(null, null);
    identity.setKeyEntry(
        "broker",
        keys.getPrivate(),
        STORE_PASSWORD,
        new Certificate[] {certificate, ca.certificate()});
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("PKIX");
    keyManagers.init(identity, STORE_PASSWORD);
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
    trustManagers.init(trustStore(List.of(ca.certificate())));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);

    SSLServerSocket socket =
        (SSLServerSocket)
            context.getServerSocketFactory().createServerSocket(0, 1, InetAddress.ofLiteral(HOST));
    socket.setNeedClientAuth(true);
    socket.setEnabledProtocols(new String[] {protocol});
    socket.setSoTimeout(TIMEOUT_MILLIS);
    TlsTestServer server = new TlsTestServer(socket);
    Thread.ofVirtual().name("tls-test-server").start(server::serveOne);
    return server;
  }

  static KeyStore trustStore(List<X509Certificate> certificates) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    for (int i = 0; i < certificates.size(); i++) {
      store.setCertificateEntry("ca-" + i, certificates.get(i));
    }
    return store;
  }

  int port() {
    return socket.getLocalPort();
  }

  /** What happened to the connection, once the server is done with it. */
  Outcome outcome() throws Exception {
    return outcome.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Connects with {@code context}, checks the server's certificate names 127.0.0.1, sends {@code
   * line} and returns the answer. Throws whatever the handshake or the exchange threw.
   */
  String exchange(SSLContext context, String protocol, String line) throws IOException {
    try (SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket(HOST, port())) {
      client.setSoTimeout(TIMEOUT_MILLIS);
      SSLParameters parameters = client.getSSLParameters();
      parameters.setProtocols(new String[] {protocol});
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      client.setSSLParameters(parameters);
      client.startHandshake();
      OutputStream out = client.getOutputStream();
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
      String answer = in.readLine();
      if (answer == null) {
        throw new IOException("the server closed the connection without answering");
      }
      return answer;
    }
  }

  private void serveOne() {
    try (SSLSocket connection = (SSLSocket) socket.accept()) {
      connection.setSoTimeout(TIMEOUT_MILLIS);
      connection.startHandshake();
      String subject =
          ((X509Certificate) connection.getSession().getPeerCertificates()[0])
              .getSubjectX500Principal()
              .getName();
      String protocol = connection.getSession().getProtocol();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
      String line = in.readLine();
      OutputStream out = connection.getOutputStream();
      out.write(("hello " + subject + ": " + line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      outcome.complete(new Outcome.Served(subject, protocol, String.valueOf(line)));
    } catch (Exception e) {
      outcome.complete(new Outcome.Refused(e));
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
