package dev.graft.bundle.keys;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
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

/**
 * X.509 identities from PEM, as {@code openssl} writes them: certificate files, unencrypted PKCS#8
 * private keys and the check that a key belongs to a certificate. For DTLS identities on both ends
 * of a CoAP link (the gateway's credentials, device-sim's thermostat); the callers read the files.
 *
 * <p>Messages start with the caller's {@code source} (e.g. {@code "key_file /etc/x.pem"}) and never
 * quote the file's content, so a private key given in the wrong place does not end up in a log.
 */
public final class X509Pem {
  private static final byte[] BEGIN_KEY = ascii("-----BEGIN PRIVATE KEY-----");
  private static final byte[] END_KEY = ascii("-----END PRIVATE KEY-----");

  private X509Pem() {}

  /**
   * The certificates of a PEM file, in file order.
   *
   * @throws IllegalArgumentException if it is not a PEM certificate file or holds none
   */
  public static List<X509Certificate> certificates(byte[] pem, String source) {
    Collection<? extends Certificate> certificates;
    try {
      certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
    } catch (CertificateException e) {
      // neither the parser's message nor the cause: a key given by mistake would be in it
      throw new IllegalArgumentException(
          source + " is not a PEM certificate file (BEGIN CERTIFICATE)");
    }
    List<X509Certificate> result = new ArrayList<>();
    for (Certificate certificate : certificates) {
      result.add((X509Certificate) certificate);
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException(source + " holds no PEM certificate");
    }
    return result;
  }

  /**
   * The unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}) of a PEM file: EC, RSA or
   * Ed25519. {@code pem} and every decoded copy of the key are wiped before this returns.
   *
   * @throws IllegalArgumentException naming what the file is instead (encrypted, a traditional
   *     SEC1/PKCS#1 key with the command that converts it, no key, a damaged body, another type)
   */
  public static PrivateKey pkcs8PrivateKey(byte[] pem, String source) {
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
        throw new IllegalArgumentException(source + kind);
      }
      byte[] body = Arrays.copyOfRange(pem, begin + BEGIN_KEY.length, end);
      try {
        der = Base64.getMimeDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + " has a damaged PEM body");
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
      throw new IllegalArgumentException(source + " is not an EC, RSA or Ed25519 PKCS#8 key");
    } finally {
      Arrays.fill(pem, (byte) 0);
      Arrays.fill(der, (byte) 0);
    }
  }

  /**
   * Checks that {@code privateKey} belongs to {@code certificate}: it signs a random challenge that
   * the certificate's public key verifies.
   *
   * @throws IllegalArgumentException if it does not, or the key's type cannot sign for DTLS
   */
  public static void requireKeyPair(PrivateKey privateKey, X509Certificate certificate) {
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
