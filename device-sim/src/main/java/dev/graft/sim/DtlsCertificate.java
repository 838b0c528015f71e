package dev.graft.sim;

import dev.graft.bundle.keys.X509Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The thermostat's DTLS certificate identity: its private key and certificate chain, and the CA
 * certificates a client's certificate must chain to. Client certificates are always required
 * (mutual authentication, as an industrial device would run DTLS). A class rather than a record so
 * that the key never appears in {@link #toString()}.
 */
public final class DtlsCertificate {
  private static final long MAX_PEM_BYTES = 1024 * 1024;

  private final PrivateKey privateKey;
  private final List<X509Certificate> chain;
  private final List<X509Certificate> clientCas;

  /**
   * @param privateKey the device's private key
   * @param chain the device's certificate first, then any intermediates
   * @param clientCas the CA certificates a client certificate must chain to; at least one
   * @throws IllegalArgumentException if the chain or the CAs are empty, or the key does not belong
   *     to the first certificate
   */
  public DtlsCertificate(
      PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> clientCas) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          "a DTLS certificate identity needs the device certificate");
    }
    if (clientCas.isEmpty()) {
      // Scandium reads an empty trust list as "trust every client"
      throw new IllegalArgumentException(
          "a DTLS certificate identity needs the CA that issues the clients' certificates");
    }
    X509Pem.requireKeyPair(privateKey, chain.getFirst());
    this.privateKey = privateKey;
    this.chain = List.copyOf(chain);
    this.clientCas = List.copyOf(clientCas);
  }

  /**
   * Reads the identity from PEM files, as {@code openssl} writes them.
   *
   * @param keyPem an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY})
   * @param chainPem the device's certificate, then any intermediates
   * @param clientCaPem the CA certificates a client certificate must chain to
   * @throws IllegalArgumentException naming the file that cannot be read or holds no usable PEM
   */
  public static DtlsCertificate fromPem(Path keyPem, Path chainPem, Path clientCaPem) {
    List<X509Certificate> chain = readCertificates(chainPem, "chain_file");
    List<X509Certificate> cas = readCertificates(clientCaPem, "client_ca_file");
    PrivateKey key = readPrivateKey(keyPem);
    try {
      return new DtlsCertificate(key, chain, cas);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key_file " + keyPem + ": " + e.getMessage(), e);
    }
  }

  /** The device's private key, for the DTLS connector. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  public List<X509Certificate> chain() {
    return chain;
  }

  public List<X509Certificate> clientCas() {
    return clientCas;
  }

  /** The device certificate's subject, e.g. {@code CN=thermostat}. */
  public String subject() {
    return chain.getFirst().getSubjectX500Principal().getName();
  }

  /** The subjects of the client CAs, for status output. */
  public String clientCaSubjects() {
    return clientCas.stream()
        .map(c -> c.getSubjectX500Principal().getName())
        .collect(Collectors.joining("; "));
  }

  @Override
  public String toString() {
    return "DtlsCertificate[subject="
        + subject()
        + ", chain="
        + chain.size()
        + ", clientCas=["
        + clientCaSubjects()
        + "], key=(hidden)]";
  }

  private static List<X509Certificate> readCertificates(Path file, String field) {
    return X509Pem.certificates(read(file, field), field + " " + file);
  }

  private static PrivateKey readPrivateKey(Path file) {
    return X509Pem.pkcs8PrivateKey(read(file, "key_file"), "key_file " + file);
  }

  private static byte[] read(Path file, String field) {
    try {
      if (Files.size(file) > MAX_PEM_BYTES) {
        throw new IllegalArgumentException(
            field + " " + file + " is larger than " + MAX_PEM_BYTES + " bytes; is it a PEM file?");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(field + " " + file + " does not exist", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          field + " " + file + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
  }
}
