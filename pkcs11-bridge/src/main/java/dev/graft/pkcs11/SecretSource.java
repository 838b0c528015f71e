package dev.graft.pkcs11;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a secret (a token PIN, a key file passphrase) comes from: a file, an environment variable,
 * or a person at a terminal. {@link SecretReader} reads it; {@link #parse(String)} reads the
 * written forms {@code file:PATH}, {@code env:NAME} and {@code prompt}, which {@code pin-source}
 * and Graft's passphrase options share.
 */
public sealed interface SecretSource {
  /** A file holding the secret; one trailing newline is not part of it. */
  record FromFile(Path path) implements SecretSource {
    public FromFile {
      Objects.requireNonNull(path);
    }

    @Override
    public String toString() {
      return "file " + path;
    }
  }

  /** An environment variable holding the secret (a Graft extension to RFC 7512's pin-source). */
  record FromEnvironment(String variable) implements SecretSource {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public FromEnvironment {
      if (!NAME.matcher(variable).matches()) {
        // Not quoted: "env:" followed by the PIN itself is a mistake worth not printing.
        throw new SecretSourceException(
            "\"env:\" must be followed by an environment variable name (letters, digits and '_',"
                + " not starting with a digit); what follows it is not shown, in case it is the"
                + " secret itself");
      }
    }

    @Override
    public String toString() {
      return "environment variable " + variable;
    }
  }

  /** Asking at the terminal. */
  record FromPrompt() implements SecretSource {
    @Override
    public String toString() {
      return "prompt";
    }
  }

  /**
   * Reads {@code file:PATH}, {@code env:NAME} or {@code prompt}.
   *
   * @throws SecretSourceException when {@code spec} is none of them
   */
  static SecretSource parse(String spec) {
    return parse(spec, "secret source");
  }

  /**
   * As {@link #parse(String)}, naming the setting that held {@code spec} ({@code "pin-source"},
   * {@code "--passphrase"}) in error messages.
   *
   * <p>{@code file:} takes RFC 8089's forms {@code file:/abs/path}, {@code file:///abs/path} and
   * {@code file://localhost/abs/path}, and also a relative {@code file:pin.txt}, read from the
   * working directory. The path is taken as written: a {@code pin-source} value has already been
   * percent-decoded once as part of the PKCS#11 URI, and is not decoded again.
   */
  static SecretSource parse(String spec, String setting) {
    if (spec.equals("prompt")) {
      return new FromPrompt();
    }
    if (spec.regionMatches(true, 0, "env:", 0, 4)) {
      String name = spec.substring(4);
      try {
        return new FromEnvironment(name);
      } catch (SecretSourceException e) {
        throw new SecretSourceException(setting + ": " + e.getMessage(), e);
      }
    }
    if (spec.regionMatches(true, 0, "file:", 0, 5)) {
      String path = spec.substring(5);
      if (path.startsWith("//")) {
        int slash = path.indexOf('/', 2);
        String host = slash < 0 ? path.substring(2) : path.substring(2, slash);
        if (slash < 0 || !(host.isEmpty() || host.equalsIgnoreCase("localhost"))) {
          throw new SecretSourceException(
              setting
                  + " "
                  + spec
                  + " does not name a local file: use file:/absolute/path (Graft reads no"
                  + " secrets over the network)");
        }
        path = path.substring(slash);
      }
      if (path.isEmpty()) {
        throw new SecretSourceException(setting + " " + spec + " names no file");
      }
      try {
        return new FromFile(Path.of(path));
      } catch (InvalidPathException e) {
        throw new SecretSourceException(
            setting + " " + spec + " is not a usable file name: " + e.getReason(), e);
      }
    }
    // Not quoted: someone who confused pin-source with pin-value would see the PIN printed.
    throw new SecretSourceException(
        setting
            + " is neither file:PATH, env:NAME nor prompt (its value is not shown, in case it is"
            + " the secret itself)");
  }
}
