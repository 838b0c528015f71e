package dev.graft.transport;

import java.nio.file.Path;

/**
 * How a connection authenticates over TLS: the CA that signed the broker's certificate, and this
 * client's certificate and key. Passwords are held as char arrays and never printed.
 */
public sealed interface TlsOptions {

  /**
   * PEM files, as {@code openssl} writes them: the CA certificate(s), this client's certificate
   * (chain) and its unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}, EC or RSA).
   */
  record Pem(Path caCertificates, Path clientCertificate, Path clientKey) implements TlsOptions {}

  /**
   * Java key stores (PKCS#12 or JKS): a trust store with the CA, and a key store with this client's
   * key and certificate.
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in; never compared, never printed
  record KeyStores(Path trustStore, char[] trustStorePassword, Path keyStore, char[] keyPassword)
      implements TlsOptions {
    public KeyStores {
      trustStorePassword = trustStorePassword.clone();
      keyPassword = keyPassword.clone();
    }

    @Override
    public String toString() {
      return "KeyStores[trustStore=" + trustStore + ", keyStore=" + keyStore + "]";
    }
  }

  /** Server authentication only (no client certificate): for brokers that use passwords. */
  record CaOnly(Path caCertificates) implements TlsOptions {}
}
