package dev.graft.pkcs11;

import java.util.Optional;

/**
 * Finds the PIN a PKCS#11 URI asks for: its {@code pin-value} (allowed, discouraged), its {@code
 * pin-source} ({@code file:/path}, as in RFC 7512; {@code env:NAME} and {@code prompt}, Graft
 * extensions), or, when it names neither, a prompt at the terminal. The PIN comes back as {@code
 * char[]} for the caller to clear once the token has it.
 */
public final class PinSource {
  private final SecretReader secrets;

  public PinSource(SecretReader secrets) {
    this.secrets = secrets;
  }

  /** Reads PIN files, the process's environment and its terminal. */
  public static PinSource system() {
    return new PinSource(SecretReader.system());
  }

  /**
   * The PIN for the token {@code uri} names, for the caller to clear after use.
   *
   * @throws SecretSourceException when the URI's PIN cannot be had; the message names the source
   *     and never the PIN
   */
  public char[] pin(Pkcs11Uri uri) {
    String what = "the PIN for " + tokenName(uri);
    Optional<String> value = uri.pinValue();
    if (value.isPresent()) {
      if (value.get().isEmpty()) {
        throw new SecretSourceException("the pin-value of " + uri + " is empty");
      }
      return value.get().toCharArray();
    }
    Optional<String> source = uri.pinSource();
    if (source.isPresent()) {
      return secrets.read(SecretSource.parse(source.get(), "pin-source"), what);
    }
    try {
      return secrets.read(new SecretSource.FromPrompt(), what);
    } catch (SecretSourceException e) {
      throw new SecretSourceException(
          e.getMessage()
              + " (the URI "
              + uri
              + " has no pin-source: add one, such as ?pin-source=file:/etc/graft/token-pin"
              + " or ?pin-source=env:GRAFT_TOKEN_PIN)",
          e);
    }
  }

  private static String tokenName(Pkcs11Uri uri) {
    if (uri.token().isPresent()) {
      return "token \"" + uri.token().get() + "\"";
    }
    if (uri.serial().isPresent()) {
      return "the token with serial number \"" + uri.serial().get() + "\"";
    }
    return "the token";
  }
}
