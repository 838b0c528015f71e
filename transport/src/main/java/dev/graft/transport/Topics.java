package dev.graft.transport;

import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The topic scheme of {@code protocol.md}. Every name that becomes a topic level is validated here,
 * so an id or role name can never add a level ({@code /}), widen a subscription ({@code +}, {@code
 * #}) or smuggle a NUL or control character into a topic.
 */
public final class Topics {
  /** Every Graft topic starts with this. */
  public static final String PREFIX = "graft/v1/";

  // Role and gateway names: one topic level of letters, digits and - _ . (not "." or ".." alone).
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private Topics() {}

  /** {@code repo/metadata/root/{N}}: every root version stays retained for the root walk. */
  public static String repoRoot(long version) {
    return PREFIX + "repo/metadata/root/" + positive(version, "root version");
  }

  /** {@code repo/metadata/root/latest}: the unsigned hint that ends the root walk. */
  public static String repoRootLatest() {
    return PREFIX + "repo/metadata/root/latest";
  }

  /** {@code repo/metadata/timestamp}. */
  public static String repoTimestamp() {
    return PREFIX + "repo/metadata/timestamp";
  }

  /**
   * The topic of one image-repository metadata file as {@link dev.graft.bundle.tuf.Repository}
   * names it: root by version, timestamp without one, every other role by version.
   */
  public static String repoMetadata(String role, OptionalLong version) {
    return metadata(PREFIX + "repo/metadata/", role, version);
  }

  /** {@code repo/targets/{sha256}/chunks}: the chunk list of one bundle. */
  public static String chunkList(String targetSha256) {
    return PREFIX + "repo/targets/" + sha256(targetSha256) + "/chunks";
  }

  /** {@code repo/targets/{sha256}/chunk/{i}}. */
  public static String chunk(String targetSha256, int index) {
    if (index < 0) {
      throw new IllegalArgumentException("chunk index " + index + " is negative");
    }
    return PREFIX + "repo/targets/" + sha256(targetSha256) + "/chunk/" + index;
  }

  /** The filter that matches every chunk list (for pruning). */
  public static String allChunkLists() {
    return PREFIX + "repo/targets/+/chunks";
  }

  /** {@code director/root/{N}}. */
  public static String directorRoot(long version) {
    return PREFIX + "director/root/" + positive(version, "root version");
  }

  /** {@code director/root/latest}. */
  public static String directorRootLatest() {
    return PREFIX + "director/root/latest";
  }

  /**
   * The director metadata of one gateway: root is fleet-wide ({@code director/root/{N}}), the rest
   * per gateway ({@code director/{gateway}/timestamp}, {@code
   * director/{gateway}/{role}/{version}}).
   */
  public static String directorMetadata(String gatewayId, String role, OptionalLong version) {
    if (role.equals("root")) {
      return directorRoot(
          version.orElseThrow(() -> new IllegalArgumentException("root needs a version")));
    }
    return metadata(PREFIX + "director/" + name(gatewayId, "gateway id") + "/", role, version);
  }

  /** {@code gw/{gateway}/presence}. */
  public static String gatewayPresence(String gatewayId) {
    return gateway(gatewayId, "presence");
  }

  /** {@code gw/{gateway}/status}. */
  public static String gatewayStatus(String gatewayId) {
    return gateway(gatewayId, "status");
  }

  /** {@code gw/{gateway}/events}. */
  public static String gatewayEvents(String gatewayId) {
    return gateway(gatewayId, "events");
  }

  /** {@code gw/{gateway}/health}. */
  public static String gatewayHealth(String gatewayId) {
    return gateway(gatewayId, "health");
  }

  /** The chunk index a chunk topic names, or -1 when the topic is not a chunk of that target. */
  static int chunkIndex(String targetSha256, String topic) {
    String prefix = PREFIX + "repo/targets/" + targetSha256 + "/chunk/";
    if (!topic.startsWith(prefix)) {
      return -1;
    }
    String digits = topic.substring(prefix.length());
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Integer.parseInt(digits);
  }

  /** Checks a gateway id, role name or similar before it becomes one topic level. */
  public static String name(String value, String what) {
    if (!NAME.matcher(value).matches() || value.contains("..")) {
      throw new IllegalArgumentException(
          what
              + " '"
              + printable(value)
              + "' is not a valid topic level: use 1 to 128 letters, digits, '.', '_' or '-',"
              + " starting with a letter or digit");
    }
    return value;
  }

  /** Checks a lowercase hex SHA-256. */
  public static String sha256(String value) {
    if (!SHA256.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "target hash '" + printable(value) + "' is not 64 lowercase hex digits");
    }
    return value;
  }

  /** Whether a concrete topic matches a subscription filter with {@code +} and {@code #}. */
  static boolean matches(String filter, String topic) {
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        return true;
      }
      if (i >= t.length) {
        return false;
      }
      if (!f[i].equals("+") && !f[i].equals(t[i])) {
        return false;
      }
    }
    return f.length == t.length;
  }

  private static String metadata(String base, String role, OptionalLong version) {
    name(role, "role name");
    if (role.equals("timestamp")) {
      if (version.isPresent()) {
        throw new IllegalArgumentException("timestamp is published without a version");
      }
      return base + "timestamp";
    }
    if (version.isEmpty()) {
      throw new IllegalArgumentException(
          "role '" + role + "' is published by version (consistent snapshots); give a version");
    }
    return base + role + "/" + positive(version.getAsLong(), role + " version");
  }

  private static String gateway(String gatewayId, String leaf) {
    return PREFIX + "gw/" + name(gatewayId, "gateway id") + "/" + leaf;
  }

  private static long positive(long version, String what) {
    if (version < 1) {
      throw new IllegalArgumentException(what + " " + version + " must be at least 1");
    }
    return version;
  }

  private static String printable(String value) {
    StringBuilder out = new StringBuilder();
    value
        .codePoints()
        .limit(80)
        .forEach(c -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", c));
          } else {
            out.appendCodePoint(c);
          }
        });
    return out.toString();
  }
}
