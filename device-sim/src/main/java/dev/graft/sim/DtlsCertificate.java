package dev.graft.sim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The thermostat's DTLS certificate identity: its private key and certificate chain, and the CA
 * certificates a client's certificate must chain to. Client certificates are always required
 * (mutual authentication, as an industrial device would run DTLS). A class rather than a record so
 * that the key never appears in {@link #toString()}.
 */
public final class DtlsCertificate {
  private static final byte[] BEGIN_KEY = ascii("-----BEGIN PRIVATE KEY-----");
  private static final byte[] END_KEY = ascii("-----END PRIVATE KEY-----");
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
    checkKeyPair(privateKey, chain.getFirst());
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

  private static void checkKeyPair(PrivateKey privateKey, X509Certificate certificate) {
    String algorithm =
        switch (privateKey.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default ->
              throw new IllegalArgumentException(
                  "a " + privateKey.getAlgorithm() + " key cannot be used for DTLS");
        };
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another type than the certificate's: the same answer as a wrong key
    }
    throw new IllegalArgumentException(
        "the private key does not belong to the certificate "
            + certificate.getSubjectX500Principal().getName());
  }

  private static List<X509Certificate> readCertificates(Path file, String field) {
    byte[] pem = read(file, field);
    Collection<? extends Certificate> certificates;
    try {
      certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
    } catch (CertificateException e) {
      // not the parser's message: a key given here by mistake could show in it
      throw new IllegalArgumentException(
          field + " " + file + " is not a PEM certificate file (BEGIN CERTIFICATE)");
    }
    List<X509Certificate> result = new ArrayList<>();
    for (Certificate certificate : certificates) {
      result.add((X509Certificate) certificate);
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException(field + " " + file + " holds no PEM certificate");
    }
    return result;
  }

  private static PrivateKey readPrivateKey(Path file) {
    byte[] pem = read(file, "key_file");
    byte[] der = new byte[0];
    try {
      int begin = indexOf(pem, BEGIN_KEY, 0);
      int end = begin < 0 ? -1 : indexOf(pem, END_KEY, begin);
      if (begin < 0 || end < 0) {
        String kind =
            indexOf(pem, ascii("ENCRYPTED PRIVATE KEY"), 0) >= 0
                ? " is encrypted; give an unencrypted PKCS#8 key"
                : indexOf(pem, ascii("-----BEGIN EC PRIVATE KEY"), 0) >= 0
                        || indexOf(pem, ascii("-----BEGIN RSA PRIVATE KEY"), 0) >= 0
                    ? " is a traditional (SEC1/PKCS#1) key; convert it with `openssl pkcs8 -topk8"
                        + " -nocrypt -in KEY -out KEY.pk8`"
                    : " holds no PEM PKCS#8 private key (BEGIN PRIVATE KEY)";
        throw new IllegalArgumentException("key_file " + file + kind);
      }
      byte[] body = Arrays.copyOfRange(pem, begin + BEGIN_KEY.length, end);
      try {
        der = Base64.getMimeDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("key_file " + file + " has a damaged PEM body");
      } finally {
        Arrays.fill(body, (byte) 0);
      }
      for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
          // not this algorithm: try the next
        }
      }
      throw new IllegalArgumentException(
          "key_file " + file + " is not an EC, RSA or Ed25519 PKCS#8 key");
    } finally {
      Arrays.fill(pem, (byte) 0);
      Arrays.fill(der, (byte) 0);
    }
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

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
