package dev.graft.pkcs11;

import dev.graft.bundle.keys.Signer;

/**
 * Turns a reference to a key on a PKCS#11 token into a {@link Signer}. This is where the token
 * layer (module loading, login with a {@link PinSource}, finding the object) plugs in; {@link
 * KeyRef#signer(TokenKeyLoader, SecretReader, SecretSource)} hands token references to it.
 */
@FunctionalInterface
public interface TokenKeyLoader {
  /**
   * A signer for the key {@code key} names.
   *
   * @throws Pkcs11Exception when the module, token or key cannot be found or used
   */
  Signer signer(KeyRef.Pkcs11KeyRef key);
}
