package dev.graft.signer.cli;

import dev.graft.bundle.metadata.RoleType;
import java.util.ArrayList;
import picocli.CommandLine;

/** Role names as TUF spells them: root, targets, snapshot, timestamp. */
final class RoleConverter implements CommandLine.ITypeConverter<RoleType> {
  @Override
  public RoleType convert(String value) {
    for (RoleType role : RoleType.values()) {
      if (role.typeName().equals(value)) {
        return role;
      }
    }
    throw new CommandLine.TypeConversionException(
        "'" + value + "' is not a role: use root, targets, snapshot or timestamp");
  }

  /**
   * What shell completion offers for a role: the names this converter accepts (picocli would offer
   * the enum constants, ROOT TARGETS …, which it refuses).
   */
  static final class All extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    All() {
      super(java.util.List.of("root", "targets", "snapshot", "timestamp"));
    }
  }

  /** The roles signed offline (and staged): root and targets. */
  static final class Offline extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Offline() {
      super(java.util.List.of("targets", "root"));
    }
  }
}
