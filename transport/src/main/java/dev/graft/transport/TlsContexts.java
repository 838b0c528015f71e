package dev.graft.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** Builds the TLS socket factory for {@link TlsOptions}: only the given CA is trusted. */
final class TlsContexts {
  private TlsContexts() {}

  static SSLSocketFactory socketFactory(TlsOptions options) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      switch (options) {
        case TlsOptions.Pem pem -> {
          addCas(trust, readCertificates(pem.caCertificates()));
          List<Certificate> chain = readCertificates(pem.clientCertificate());
          PrivateKey key = readKey(pem.clientKey());
          char[] password = randomPassword();
          KeyStore store = KeyStore.getInstance("PKCS12");
          store.load(null, null);
          store.setKeyEntry("client", key, password, chain.toArray(Certificate[]::new));
          keys.init(store, password);
          Arrays.fill(password, '\0');
        }
        case TlsOptions.KeyStores stores -> {
          trust = load(stores.trustStore(), stores.trustStorePassword());
          KeyStore store = load(stores.keyStore(), stores.keyPassword());
          keys.init(store, stores.keyPassword());
        }
        case TlsOptions.CaOnly ca -> {
          addCas(trust, readCertificates(ca.caCertificates()));
          KeyStore empty = KeyStore.getInstance("PKCS12");
          empty.load(null, null);
          keys.init(empty, new char[0]);
        }
      }
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trustManagers.getTrustManagers(), new SecureRandom());
      return context.getSocketFactory();
    } catch (GeneralSecurityException | IOException e) {
      throw new TransportException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static void addCas(KeyStore trust, List<Certificate> cas)
      throws GeneralSecurityException {
    for (int i = 0; i < cas.size(); i++) {
      trust.setCertificateEntry("ca-" + i, cas.get(i));
    }
  }

  private static KeyStore load(Path file, char[] password)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    } catch (IOException e) {
      throw new TransportException(
          "cannot read key store " + file + " (wrong password or not a key store)", e);
    }
    return store;
  }

  private static List<Certificate> readCertificates(Path file)
      throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certificates.isEmpty()) {
      throw new TransportException(file + " holds no PEM certificate");
    }
    return new ArrayList<>(certificates);
  }

  private static PrivateKey readKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    if (text.contains("BEGIN EC PRIVATE KEY") || text.contains("BEGIN RSA PRIVATE KEY")) {
      throw new TransportException(
          file
              + " is a traditional (SEC1/PKCS#1) key; convert it with `openssl pkcs8 -topk8"
              + " -nocrypt -in KEY -out KEY.pk8`");
    }
    if (text.contains("ENCRYPTED PRIVATE KEY")) {
      throw new TransportException(
          file + " is encrypted; give an unencrypted PKCS#8 key or use a key store instead");
    }
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new TransportException(file + " holds no PEM PKCS#8 private key (BEGIN PRIVATE KEY)");
    }
    byte[] der;
    try {
      der =
          Base64.getMimeDecoder()
              .decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    } catch (IllegalArgumentException e) {
      throw new TransportException(file + " has a damaged PEM body", e);
    }
    for (String algorithm : List.of("EC", "RSA", "Ed25519", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new TransportException(file + " holds a private key of an unsupported type");
  }

  private static char[] randomPassword() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return Base64.getEncoder().encodeToString(random).toCharArray();
  }
}
