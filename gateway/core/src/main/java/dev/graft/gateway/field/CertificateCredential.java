package dev.graft.gateway.field;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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
 * A DTLS certificate identity for {@code coaps://} devices: the gateway's private key and
 * certificate chain, which it presents to the device, and the trust anchors (CA certificates) the
 * device's certificate must chain to. Only those anchors are trusted, never the JDK's default CAs,
 * and there is no way to trust every certificate.
 *
 * <p>The private key never leaves the {@code field} package and never appears in {@link
 * #toString()}. A JDK {@link PrivateKey} cannot be overwritten in place; the PEM bytes it is read
 * from are wiped as soon as the key is decoded.
 */
public final class CertificateCredential {
  private static final byte[] BEGIN_KEY = ascii("-----BEGIN PRIVATE KEY-----");
  private static final byte[] END_KEY = ascii("-----END PRIVATE KEY-----");

  /** A PEM key file is a few hundred bytes; the cap keeps a wrong path from reading a disk. */
  private static final long MAX_PEM_BYTES = 1024 * 1024;

  private final PrivateKey privateKey;
  private final List<X509Certificate> chain;
  private final List<X509Certificate> trustAnchors;

  /**
   * @param privateKey the gateway's private key (EC or RSA)
   * @param chain the gateway's certificate first, then any intermediates; the first one must hold
   *     the public key of {@code privateKey}
   * @param trustAnchors the CA certificates a device's certificate must chain to; at least one
   * @throws IllegalArgumentException if the chain or the anchors are empty, or the key does not
   *     belong to the first certificate
   */
  public CertificateCredential(
      PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trustAnchors) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          "a certificate credential needs the gateway's certificate");
    }
    if (trustAnchors.isEmpty()) {
      // Scandium reads an empty trust list as "trust every certificate"; never let it get one
      throw new IllegalArgumentException(
          "a certificate credential needs at least one trust anchor (the CA that issued the"
              + " device certificates)");
    }
    checkKeyPair(privateKey, chain.getFirst());
    this.privateKey = privateKey;
    this.chain = List.copyOf(chain);
    this.trustAnchors = List.copyOf(trustAnchors);
  }

  /**
   * Reads a credential from PEM files, as {@code openssl} writes them.
   *
   * @param privateKeyPem an unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}); {@code openssl
   *     pkcs8 -topk8 -nocrypt} converts a traditional EC or RSA key
   * @param chainPem the gateway's certificate, then any intermediates
   * @param trustAnchorsPem the CA certificates a device's certificate must chain to
   * @throws IllegalArgumentException naming the file if one cannot be read or holds no usable PEM
   */
  public static CertificateCredential fromPem(
      Path privateKeyPem, Path chainPem, Path trustAnchorsPem) {
    List<X509Certificate> chain = readCertificates(chainPem, "certificate chain");
    List<X509Certificate> anchors = readCertificates(trustAnchorsPem, "trust anchors");
    PrivateKey key = readPrivateKey(privateKeyPem);
    try {
      return new CertificateCredential(key, chain, anchors);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          privateKeyPem + " and " + chainPem + ": " + e.getMessage(), e);
    }
  }

  /** The gateway's certificate first, then any intermediates. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The CA certificates a device's certificate must chain to. */
  public List<X509Certificate> trustAnchors() {
    return trustAnchors;
  }

  /** Only for the DTLS connector in this package. */
  PrivateKey privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "CertificateCredential[subject="
        + chain.getFirst().getSubjectX500Principal().getName()
        + ", chain="
        + chain.size()
        + ", anchors="
        + trustAnchors.stream()
            .map(c -> c.getSubjectX500Principal().getName())
            .collect(Collectors.joining("; ", "[", "]"))
        + ", key=(hidden)]";
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

  private static List<X509Certificate> readCertificates(Path file, String what) {
    byte[] pem = read(file, what);
    Collection<? extends Certificate> certificates;
    try {
      certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
    } catch (CertificateException e) {
      // neither the parser's message nor the cause: a key given by mistake would be in it
      throw new IllegalArgumentException(
          what + " " + file + " is not a PEM certificate file (BEGIN CERTIFICATE)");
    }
    List<X509Certificate> result = new ArrayList<>();
    for (Certificate certificate : certificates) {
      result.add((X509Certificate) certificate);
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException(what + " " + file + " holds no PEM certificate");
    }
    return result;
  }

  private static PrivateKey readPrivateKey(Path file) {
    byte[] pem = read(file, "private key");
    byte[] der = new byte[0];
    try {
      int begin = indexOf(pem, BEGIN_KEY, 0);
      int end = begin < 0 ? -1 : indexOf(pem, END_KEY, begin);
      if (begin < 0 || end < 0) {
        // say what the file is without echoing any of it
        String kind =
            indexOf(pem, ascii("ENCRYPTED PRIVATE KEY"), 0) >= 0
                ? " is encrypted; give an unencrypted PKCS#8 key"
                : indexOf(pem, ascii("-----BEGIN EC PRIVATE KEY"), 0) >= 0
                        || indexOf(pem, ascii("-----BEGIN RSA PRIVATE KEY"), 0) >= 0
                    ? " is a traditional (SEC1/PKCS#1) key; convert it with `openssl pkcs8 -topk8"
                        + " -nocrypt -in KEY -out KEY.pk8`"
                    : " holds no PEM PKCS#8 private key (BEGIN PRIVATE KEY)";
        throw new IllegalArgumentException("private key " + file + kind);
      }
      byte[] body = Arrays.copyOfRange(pem, begin + BEGIN_KEY.length, end);
      try {
        der = Base64.getMimeDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("private key " + file + " has a damaged PEM body");
      } finally {
        Arrays.fill(body, (byte) 0);
      }
      for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
          // not this algorithm: try the next (the exception would describe the key, drop it)
        }
      }
      throw new IllegalArgumentException(
          "private key " + file + " is not an EC, RSA or Ed25519 PKCS#8 key");
    } finally {
      Arrays.fill(pem, (byte) 0);
      Arrays.fill(der, (byte) 0);
    }
  }

  private static byte[] read(Path file, String what) {
    try {
      if (Files.size(file) > MAX_PEM_BYTES) {
        throw new IllegalArgumentException(
            what + " " + file + " is larger than " + MAX_PEM_BYTES + " bytes; is it a PEM file?");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(what + " " + file + " does not exist", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          what + " " + file + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
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
    return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
