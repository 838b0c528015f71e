package dev.graft.pkcs11;

import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A JCA provider that signs with token-held keys ({@link TokenPrivateKey}) and with nothing else:
 * {@code SHA256withECDSA}, the one signature a P-256 key makes in TLS 1.2 and 1.3 ({@code
 * ecdsa_secp256r1_sha256}) and in a PKCS#10 request. The message is hashed on the host, the digest
 * signed inside the token ({@code CKM_ECDSA}), as {@link TokenEcdsaSigner} does.
 *
 * <p>Why this is safe to add to the process's provider list: JCA picks the provider of a {@code
 * Signature} when it is initialised with a key ("delayed provider selection"), asking each provider
 * in order whether it supports that key. This provider answers yes only for a {@code
 * TokenPrivateKey} — a key no other provider accepts, since it is not an {@code ECPrivateKey} and
 * has no encoding — and is added after all the others, so every other key, and every verification,
 * still goes where it went before. JSSE asks {@code Signature.getInstance("SHA256withECDSA")} and
 * initialises it with the key manager's private key, so it reaches this provider with no
 * configuration.
 *
 * <p>A {@code Signature} object sees the providers installed when it was created: install this one
 * (or make the {@link TokenPrivateKey}, which does) before {@code Signature.getInstance}.
 */
final class TokenKeyProvider extends Provider {
  private static final long serialVersionUID = 1L;

  /** The provider's name, for {@code Signature.getInstance(algorithm, NAME)}. */
  public static final String NAME = "GraftPkcs11";

  /** The JCA name of the one signature algorithm offered. */
  public static final String SHA256_WITH_ECDSA = "SHA256withECDSA";

  private static final TokenKeyProvider INSTANCE = new TokenKeyProvider();

  private TokenKeyProvider() {
    super(
        NAME,
        "1.0",
        "Graft: SHA256withECDSA with ECDSA P-256 keys held in PKCS#11 tokens (TokenPrivateKey)");
    putService(new SignatureService(this));
  }

  public static TokenKeyProvider instance() {
    return INSTANCE;
  }

  /**
   * Adds the provider after every installed one, unless a provider of this name is installed
   * already. Idempotent; {@link TokenPrivateKey#of} calls it.
   */
  public static void install() {
    synchronized (TokenKeyProvider.class) {
      if (Security.getProvider(NAME) == null) {
        Security.addProvider(INSTANCE);
      }
    }
  }

  /** Accepts only token-held keys, so that delayed provider selection passes every other key on. */
  private static final class SignatureService extends Service {
    SignatureService(Provider provider) {
      super(
          provider,
          "Signature",
          SHA256_WITH_ECDSA,
          TokenEcdsaSignature.class.getName(),
          // ecdsa-with-SHA256, as certificate and CSR code looks algorithms up by OID.
          List.of("1.2.840.10045.4.3.2", "OID.1.2.840.10045.4.3.2"),
          Map.of("SupportedKeyClasses", TokenPrivateKey.class.getName()));
    }

    @Override
    public boolean supportsParameter(@Nullable Object parameter) {
      return parameter instanceof TokenPrivateKey;
    }

    @Override
    public Object newInstance(@Nullable Object constructorParameter) {
      return new TokenEcdsaSignature();
    }
  }
}
