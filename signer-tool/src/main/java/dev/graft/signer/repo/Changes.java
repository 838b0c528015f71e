package dev.graft.signer.repo;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What a new version of a role changes against the previous one, as lines for a person about to
 * sign it: targets added, removed and changed; keys and thresholds; expiry.
 */
public final class Changes {
  private Changes() {}

  /** The changes from {@code previous} (null for a first version) to {@code next}. */
  public static List<String> between(@Nullable Signed previous, Signed next) {
    List<String> lines = new ArrayList<>();
    String role = next.roleType().typeName();
    lines.add(
        role
            + " version "
            + (previous == null ? "(none)" : String.valueOf(previous.version()))
            + " -> "
            + next.version());
    lines.add(
        "  expires " + (previous == null ? "" : previous.expires() + " -> ") + next.expires());
    switch (next) {
      case Targets targets ->
          targets(previous instanceof Targets old ? old.targets() : Map.of(), targets, lines);
      case Root root -> root(previous instanceof Root old ? old : null, root, lines);
      default -> {}
    }
    return lines;
  }

  private static void targets(Map<String, TargetFile> old, Targets next, List<String> lines) {
    int before = lines.size();
    for (TargetFile target : next.targets().values()) {
      TargetFile was = old.get(target.path());
      if (was == null) {
        lines.add("  + added   " + describe(target));
      } else if (!was.equals(target)) {
        lines.add("  ~ changed " + describe(was));
        lines.add("         to " + describe(target));
      }
    }
    for (TargetFile target : old.values()) {
      if (!next.targets().containsKey(target.path())) {
        lines.add("  - removed " + describe(target));
      }
    }
    if (lines.size() == before) {
      lines.add("  targets unchanged (" + next.targets().size() + " listed)");
    }
  }

  /** One line naming a target and the fields that count. */
  public static String describe(TargetFile target) {
    StringBuilder line = new StringBuilder(target.path());
    line.append(" (").append(target.length()).append(" bytes, sha256 ");
    line.append(target.hashes().getOrDefault("sha256", "?"));
    Optional<JsonObject> graft = Releases.graftFields(target);
    if (graft.isPresent()) {
      JsonObject g = graft.get();
      line.append(", module ")
          .append(g.optionalString("module").orElse("?"))
          .append(' ')
          .append(g.optionalString("version").orElse("?"))
          .append(", release counter ")
          .append(g.optionalInteger("release_counter").orElse(-1));
      // The ids as the engineer typed them, not the JSON values' record form.
      g.optionalArray("hardware")
          .ifPresent(h ->
              line.append(", hardware ")
                  .append(
                      h.values().stream()
                          .map(v -> v instanceof JsonString id ? id.value() : v.toString())
                          .collect(Collectors.joining(", "))));
    }
    return line.append(')').toString();
  }

  private static void root(@Nullable Root old, Root next, List<String> lines) {
    if (old == null || old.consistentSnapshot() != next.consistentSnapshot()) {
      lines.add("  consistent_snapshot " + next.consistentSnapshot());
    }
    for (RoleType type : RoleType.values()) {
      Role now = next.role(type);
      Role was = old == null ? null : old.role(type);
      String name = type.typeName();
      if (was == null || was.threshold() != now.threshold()) {
        lines.add(
            "  "
                + name
                + " threshold "
                + (was == null ? "" : was.threshold() + " -> ")
                + now.threshold()
                + " of "
                + now.keyIds().size()
                + " key(s)");
      }
      for (String id : now.keyIds()) {
        if (was == null || !was.keyIds().contains(id)) {
          lines.add("  + " + name + " key " + id + " (" + keyType(next, id) + ")");
        }
      }
      if (was != null) {
        for (String id : was.keyIds()) {
          if (!now.keyIds().contains(id)) {
            lines.add("  - " + name + " key " + id + " removed");
          }
        }
      }
    }
  }

  private static String keyType(Root root, String id) {
    var key = root.keys().get(id);
    return key == null ? "not defined in keys" : key.keyType();
  }
}
