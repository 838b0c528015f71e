package dev.graft.gateway.field;

import dev.graft.bundle.keys.X509Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
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
    X509Pem.requireKeyPair(privateKey, chain.getFirst());
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

  private static List<X509Certificate> readCertificates(Path file, String what) {
    return X509Pem.certificates(read(file, what), what + " " + file);
  }

  private static PrivateKey readPrivateKey(Path file) {
    requireNotWorldReadable(file);
    return X509Pem.pkcs8PrivateKey(read(file, "private key"), "private key " + file);
  }

  /**
   * The rule {@code SecretReader} applies to PIN and passphrase files, for the unencrypted DTLS
   * key: refused when every user can read it (group access is allowed, for a service group), and
   * when its file system cannot say.
   */
  private static void requireNotWorldReadable(Path file) {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("private key " + file + " does not exist", e);
    } catch (UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          "private key "
              + file
              + ": its file system has no POSIX permissions, so Graft cannot check that other"
              + " users cannot read it",
          e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "private key " + file + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
    if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
      throw new IllegalArgumentException(
          "private key "
              + file
              + " is readable by every user (permissions "
              + PosixFilePermissions.toString(permissions)
              + "); refusing to use it: run chmod o-rwx "
              + file
              + " (or chmod 600)");
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
}
