package dev.graft.gateway.agent.journal;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/** A control-logic module as the journal records it: name, version, SHA-256, release counter. */
public record ModuleRef(String name, String version, String sha256, long releaseCounter) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public ModuleRef {
    requireNonNull(name, "name");
    requireNonNull(version, "version");
    requireNonNull(sha256, "sha256");
    if (name.isBlank() || name.length() > 255 || version.isBlank() || version.length() > 255) {
      throw new IllegalArgumentException(
          "module name and version must be non-blank and at most 255 characters, got \""
              + name
              + "\" \""
              + version
              + "\"");
    }
    requireSha256(sha256);
    if (releaseCounter < 0) {
      throw new IllegalArgumentException(
          "release counter must not be negative, got " + releaseCounter);
    }
  }

  static String requireSha256(String sha256) {
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException(
          "sha256 must be 64 lower-case hex digits, got \"" + sha256 + "\"");
    }
    return sha256;
  }
}
