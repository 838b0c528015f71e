package dev.graft.signer.cli;

import dev.graft.bundle.metadata.RoleType;
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
}
