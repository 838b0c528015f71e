package dev.graft.bundle;

import java.util.Locale;

/**
 * Root of every refusal the trust core makes. Subclasses name the rule that was broken, and every
 * message says which role, which version, what was expected and what was found. Subclasses for TUF
 * rules carry those values as typed fields and write their message in a static factory, so that
 * every refusal of one kind has the same shape.
 */
public class TrustException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrustException(String message) {
    super(message);
  }

  public TrustException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A short, stable name for the broken rule, derived from the class name ({@code
   * RollbackAttackException} is {@code rollback-attack}, this class is {@code trust}): what a REST
   * layer puts in a problem document's {@code type}, and what logs and metrics group refusals by.
   */
  public String kind() {
    String name = getClass().getSimpleName();
    if (name.endsWith("Exception")) {
      name = name.substring(0, name.length() - "Exception".length());
    }
    if (name.isEmpty()) {
      return "trust";
    }
    return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
