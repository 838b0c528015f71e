package dev.graft.pkcs11;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * The TLS client identity of a gateway whose key is held in a token: an ECDSA P-256 key (a {@link
 * TokenPrivateKey}) and the certificate chain an operator's CA issued for it, as JSSE's {@link
 * X509ExtendedKeyManager}. It offers its one key for client authentication and nothing for server
 * authentication; JSSE signs the handshake ({@code CertificateVerify}) through the {@link
 * TokenKeyProvider}, so the private key never leaves the token.
 *
 * <p>{@link #sslContext(KeyStore)} builds the {@link SSLContext} a client (an MQTT connection to
 * the broker, say) is made from.
 */
public final class TokenKeyManager extends X509ExtendedKeyManager {
  /** JSSE's name for elliptic-curve keys in key manager calls. */
  private static final String EC = "EC";

  private final String alias;
  private final TokenPrivateKey key;
  private final X509Certificate[] chain;

  private TokenKeyManager(String alias, TokenPrivateKey key, X509Certificate[] chain) {
    this.alias = alias;
    this.key = key;
    this.chain = chain;
  }

  /**
   * A key manager for {@code key} and its certificate chain (the key's own certificate first, then
   * the CAs up to, optionally, the root).
   *
   * @throws Pkcs11Exception if the chain is empty or its first certificate is not for this key
   */
  public static TokenKeyManager of(TokenEcdsaSigner key, List<X509Certificate> chain) {
    return of(TokenPrivateKey.of(key), chain);
  }

  /** As {@link #of(TokenEcdsaSigner, List)}, for a key already wrapped for the JCA. */
  public static TokenKeyManager of(TokenPrivateKey key, List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      throw new Pkcs11Exception(
          "a TLS client identity needs the certificate of " + key + "; the chain is empty");
    }
    X509Certificate leaf = chain.getFirst();
    if (!leaf.getPublicKey().equals(key.publicKey())) {
      throw new Pkcs11Exception(
          "the certificate for "
              + leaf.getSubjectX500Principal().getName()
              + " is not for "
              + key
              + ": its public key is another one (was it issued from this key's request?)");
    }
    return new TokenKeyManager(
        "token:" + key.signer().keyId(), key, chain.toArray(X509Certificate[]::new));
  }

  /** The one alias this key manager offers. */
  public String alias() {
    return alias;
  }

  /** The client certificate: the first of the chain. */
  public X509Certificate certificate() {
    return chain[0];
  }

  /**
   * A TLS context (TLS 1.3, and 1.2 for servers that lack 1.3) that authenticates the client with
   * this key and trusts the servers whose certificates chain to {@code trustStore}'s certificates.
   *
   * @throws Pkcs11Exception if the trust store cannot be used
   */
  public SSLContext sslContext(KeyStore trustStore) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore);
      return sslContext(trust.getTrustManagers());
    } catch (GeneralSecurityException e) {
      throw new Pkcs11Exception("cannot use the trust store for TLS: " + e.getMessage(), e);
    }
  }

  /** As {@link #sslContext(KeyStore)}, trusting exactly these CA certificates. */
  public SSLContext sslContext(List<X509Certificate> trustedCertificates) {
    if (trustedCertificates.isEmpty()) {
      throw new Pkcs11Exception("a TLS client needs at least one trusted CA certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int n = 0;
      for (X509Certificate certificate : trustedCertificates) {
        store.setCertificateEntry("trusted-" + n++, certificate);
      }
      return sslContext(store);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new Pkcs11Exception("cannot build a trust store for TLS: " + e.getMessage(), e);
    }
  }

  private SSLContext sslContext(TrustManager[] trustManagers) throws GeneralSecurityException {
    // "TLSv1.3" enables TLS 1.3 and 1.2 on clients; older versions are disabled by the JDK.
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(new KeyManager[] {this}, trustManagers, null);
    return context;
  }

  // X509ExtendedKeyManager.

  @Override
  public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
    return offers(new String[] {keyType}, issuers) ? new String[] {alias} : null;
  }

  @Override
  public @Nullable String chooseClientAlias(
      String @Nullable [] keyTypes, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return offers(keyTypes, issuers) ? alias : null;
  }

  @Override
  public @Nullable String chooseEngineClientAlias(
      String @Nullable [] keyTypes, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return offers(keyTypes, issuers) ? alias : null;
  }

  /** None: a token key manager identifies clients only. */
  @Override
  public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
    return null;
  }

  /** None: a token key manager identifies clients only. */
  @Override
  public @Nullable String chooseServerAlias(
      String keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return null;
  }

  /** None: a token key manager identifies clients only. */
  @Override
  public @Nullable String chooseEngineServerAlias(
      String keyType, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return null;
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(@Nullable String requested) {
    return alias.equals(requested) ? chain.clone() : null;
  }

  @Override
  public @Nullable PrivateKey getPrivateKey(@Nullable String requested) {
    return alias.equals(requested) ? key : null;
  }

  /**
   * Whether the server's request fits this identity: it accepts EC keys, and either names no CAs or
   * names one that issued a certificate of the chain — sending a certificate the server has said it
   * will not accept would only turn "no certificate" into "bad certificate".
   */
  private boolean offers(String @Nullable [] keyTypes, Principal @Nullable [] issuers) {
    if (keyTypes == null || !Arrays.asList(keyTypes).contains(EC)) {
      return false;
    }
    if (issuers == null || issuers.length == 0) {
      return true;
    }
    Set<X500Principal> accepted =
        Arrays.stream(issuers)
            .map(p -> p instanceof X500Principal x500 ? x500 : new X500Principal(p.getName()))
            .collect(Collectors.toSet());
    return Arrays.stream(chain)
        .map(X509Certificate::getIssuerX500Principal)
        .anyMatch(accepted::contains);
  }

  @Override
  public String toString() {
    return "TokenKeyManager["
        + alias
        + ", "
        + certificate().getSubjectX500Principal().getName()
        + "]";
  }
}
