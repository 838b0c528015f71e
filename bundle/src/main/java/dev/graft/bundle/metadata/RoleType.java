package dev.graft.bundle.metadata;

/** The four top-level TUF roles, with their {@code _type} and file names. */
public enum RoleType {
  ROOT("root"),
  TARGETS("targets"),
  SNAPSHOT("snapshot"),
  TIMESTAMP("timestamp");

  private final String typeName;

  RoleType(String typeName) {
    this.typeName = typeName;
  }

  /** The {@code _type} value and the role name. */
  public String typeName() {
    return typeName;
  }

  public String fileName() {
    return typeName + ".json";
  }
}
