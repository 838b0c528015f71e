package dev.graft.pkcs11;

import java.io.Console;
import java.util.Optional;

/** Asks a person for a secret, without echoing it. */
@FunctionalInterface
public interface SecretPrompt {
  /**
   * The secret typed in answer to {@code prompt}; empty when there is nobody to ask (no terminal)
   * or the input ended before a line was typed. The caller clears the array.
   */
  Optional<char[]> ask(String prompt);

  /** Asks on the process's terminal, when it has one ({@link Console#isTerminal()}). */
  @SuppressWarnings("SystemConsoleNull") // System.console() is still documented to return null.
  static SecretPrompt console() {
    return prompt -> {
      Console console = System.console();
      if (console == null || !console.isTerminal()) {
        return Optional.empty();
      }
      return Optional.ofNullable(console.readPassword("%s", prompt));
    };
  }

  /** Never asks: for services, where a prompt would hang. */
  static SecretPrompt none() {
    return prompt -> Optional.empty();
  }
}
