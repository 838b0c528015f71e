package dev.graft.policies.abi;

import dev.graft.policies.PolicyViolationException;
import java.util.List;

/**
 * A module that breaks ABI {@code graft/1}. It carries every violation found, not just the first,
 * so a module author can fix them all in one round.
 */
public final class AbiViolationException extends PolicyViolationException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // List.copyOf returns a serializable list
  private final List<String> violations;

  public AbiViolationException(List<String> violations) {
    super(describe(violations));
    this.violations = List.copyOf(violations);
  }

  public AbiViolationException(List<String> violations, Throwable cause) {
    super(describe(violations), cause);
    this.violations = List.copyOf(violations);
  }

  /** Every violation, each a sentence that names the export, import or section at fault. */
  public List<String> violations() {
    return violations;
  }

  private static String describe(List<String> violations) {
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an ABI violation needs at least one reason");
    }
    var text =
        new StringBuilder("module breaks ABI graft/1 (")
            .append(violations.size())
            .append(violations.size() == 1 ? " violation):" : " violations):");
    for (String violation : violations) {
      text.append("\n  - ").append(violation);
    }
    return text.toString();
  }
}
