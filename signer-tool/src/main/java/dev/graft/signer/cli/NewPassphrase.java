package dev.graft.signer.cli;

import dev.graft.pkcs11.SecretSource;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import java.util.Arrays;

/**
 * Reads a passphrase that will protect something new (a key file, a backup). Typed at a prompt it
 * is asked twice, since a typo there would lock the key away for good; from a file or the
 * environment it is taken as it is.
 */
final class NewPassphrase {
  private NewPassphrase() {}

  /**
   * The passphrase, for the caller to clear.
   *
   * @throws CliException when it is empty or the two typed copies differ
   */
  static char[] read(CliContext context, SecretSource source, String what) {
    char[] first = context.secrets().read(source, what);
    if (first.length == 0) {
      throw new CliException(
          "the "
              + what.replaceFirst("^the ", "")
              + " is empty; an empty passphrase would leave"
              + " the key unprotected");
    }
    if (source instanceof SecretSource.FromPrompt) {
      char[] second = context.secrets().read(source, what + " (again, to confirm)");
      boolean same = same(first, second);
      Arrays.fill(second, '\0');
      if (!same) {
        Arrays.fill(first, '\0');
        throw new CliException("the two passphrases typed differ; nothing was written");
      }
    }
    return first;
  }

  /** Compares two secrets in time that depends on their lengths only, not on their content. */
  static boolean same(char[] a, char[] b) {
    int difference = a.length ^ b.length;
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      char x = i < a.length ? a[i] : 0;
      char y = i < b.length ? b[i] : 0;
      difference |= x ^ y;
    }
    return difference == 0;
  }
}
