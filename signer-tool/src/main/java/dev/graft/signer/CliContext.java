package dev.graft.signer;

import dev.graft.pkcs11.SecretReader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * What every command gets from its environment: the terminal, the environment variables (for {@code
 * env:} secret sources and defaults), and the clock (fixed in tests). Commands receive it through
 * their constructor ({@link Graft}'s factory passes it).
 *
 * @param environment the process's environment variables
 */
public record CliContext(Terminal terminal, Map<String, String> environment, Clock clock) {
  /** Names the PKCS#11 module for {@code pkcs11:} URIs without a {@code module-path}. */
  public static final String PKCS11_MODULE_VARIABLE = "GRAFT_PKCS11_MODULE";

  public CliContext {
    environment = Map.copyOf(environment);
  }

  /** The process's terminal, environment and clock. */
  public static CliContext system() {
    return new CliContext(Terminal.system(), System.getenv(), Clock.systemUTC());
  }

  /** Reads passphrases and PINs from files, this context's environment and its terminal. */
  public SecretReader secrets() {
    return new SecretReader(environment, terminal.secretPrompt());
  }

  /** The PKCS#11 module for URIs that name none, from {@value #PKCS11_MODULE_VARIABLE}. */
  public Optional<Path> defaultPkcs11Module() {
    String module = environment.get(PKCS11_MODULE_VARIABLE);
    return module == null || module.isBlank() ? Optional.empty() : Optional.of(Path.of(module));
  }

  /** A key source that reads secrets through this context; close it after signing. */
  public KeySource keySource() {
    return new KeySource(secrets(), defaultPkcs11Module().orElse(null));
  }
}
