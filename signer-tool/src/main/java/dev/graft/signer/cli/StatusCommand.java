package dev.graft.signer.cli;

import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.ExitCode;
import dev.graft.signer.repo.ImageRepository;
import dev.graft.signer.repo.Requirement;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft status DIR}: what is published, what waits for signatures, what expires. */
@Command(
    name = "status",
    header = "Shows what is published, what lacks signatures, what expires.",
    mixinStandardHelpOptions = true,
    description = {
      "Shows each role's published version and expiry, and for staged root or targets how many"
          + " signatures it has of how many it needs, and who still has to sign. Checks every"
          + " metadata file and target file on the way.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft status repo/",
      "  graft status repo/ --json | jq '.roles.targets.staged'",
      "  graft status repo/ --check    exit 3 while a staged role lacks signatures",
      "",
      "Exit codes: 0 ok; 3 published metadata has expired (its line names the command",
      "  that renews it) or, with --check, a staged role lacks signatures; 1 a file is",
      "  damaged."
    })
public final class StatusCommand implements Runnable {
  private final CliContext context;

  @Parameters(index = "0", paramLabel = "DIR", description = "The repository.")
  private Path directory = Path.of(".");

  @Option(names = "--json", description = "Machine-readable output.")
  private boolean json;

  @Option(names = "--check", description = "Exit with 3 when a staged role still lacks signatures.")
  private boolean check;

  StatusCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    ImageRepository repository = ImageRepository.open(directory, context.clock());
    repository.verifyTargetFiles();
    PrintWriter out = context.terminal().out();
    if (json) {
      out.print(new String(PrettyJson.encode(toJson(repository)), StandardCharsets.UTF_8));
      out.println();
    } else {
      printSummary(repository, out);
    }
    out.flush();
    List<String> expired = expired(repository);
    if (!expired.isEmpty()) {
      throw new CliException(
          ExitCode.ATTENTION,
          String.join(", ", expired)
              + " expired: gateways refuse the repository until "
              + (expired.size() == 1 ? "it is" : "they are")
              + " renewed (see above)");
    }
    if (check && pending(repository)) {
      throw new CliException(
          ExitCode.ATTENTION, "a staged role still lacks signatures (see above)");
    }
  }

  private static List<String> expired(ImageRepository repository) {
    List<String> expired = new ArrayList<>();
    for (RoleType role : RoleType.values()) {
      if (repository
          .published(role)
          .filter(p -> p.signed().isExpired(repository.clockInstant()))
          .isPresent()) {
        expired.add(role.typeName());
      }
    }
    return expired;
  }

  private static boolean pending(ImageRepository repository) {
    for (RoleType role : List.of(RoleType.ROOT, RoleType.TARGETS)) {
      if (repository.staged(role).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** The human-readable status, also printed after init, release add and sign. */
  static void printSummary(ImageRepository repository, PrintWriter out) {
    for (RoleType role : RoleType.values()) {
      Optional<SignedMetadata<?>> published = repository.published(role);
      StringBuilder line = new StringBuilder(role.typeName()).append(": ");
      if (published.isPresent()) {
        line.append("version ")
            .append(published.get().signed().version())
            .append(" published, expires ")
            .append(published.get().signed().expires());
        if (published.get().signed().isExpired(repository.clockInstant())) {
          line.append(" (EXPIRED; renew with ")
              .append(NextSteps.renewal(repository.directory(), role));
          if (role == RoleType.ROOT || role == RoleType.TARGETS) {
            line.append(" and sign it");
          }
          line.append(")");
        }
      } else {
        line.append("nothing published");
      }
      out.println(line);
      if (repository.staged(role).isPresent()) {
        SignedMetadata<?> staged = repository.staged(role).get();
        if (role == RoleType.ROOT
            && repository.requirements(role).stream().allMatch(Requirement::met)) {
          out.println(
              "  staged version "
                  + staged.signed().version()
                  + " has its signatures; it is published together with targets that meet its"
                  + " targets threshold: sign the staged targets (graft sign "
                  + repository.directory()
                  + " targets --key …)");
        }
        for (Requirement requirement : repository.requirements(role)) {
          out.println(
              "  staged version "
                  + staged.signed().version()
                  + " has "
                  + requirement.signed().size()
                  + " of "
                  + requirement.threshold()
                  + " required signatures"
                  + (repository.requirements(role).size() > 1
                      ? " (keys of " + requirement.source() + ")"
                      : ""));
          if (!requirement.met()) {
            out.println(
                "  run `graft sign "
                    + repository.directory()
                    + " "
                    + role.typeName()
                    + " --key …` with one of: "
                    + String.join(", ", requirement.missing()));
          }
        }
      }
    }
  }

  private static JsonObject toJson(ImageRepository repository) {
    JsonObject.Builder roles = JsonObject.builder();
    for (RoleType role : RoleType.values()) {
      JsonObject.Builder entry = JsonObject.builder();
      repository
          .published(role)
          .ifPresent(p ->
              entry.put(
                  "published",
                  JsonObject.builder()
                      .put("version", p.signed().version())
                      .put("expires", p.signed().expires().toString())
                      .put("expired", p.signed().isExpired(repository.clockInstant()))
                      .build()));
      if (repository.staged(role).isPresent()) {
        SignedMetadata<?> staged = repository.staged(role).get();
        List<JsonValue> requirements = new ArrayList<>();
        for (Requirement requirement : repository.requirements(role)) {
          requirements.add(
              JsonObject.builder()
                  .put("source", requirement.source())
                  .put("threshold", requirement.threshold())
                  .put("signed", strings(List.copyOf(requirement.signed())))
                  .put("missing", strings(requirement.missing()))
                  .put("met", requirement.met())
                  .build());
        }
        entry.put(
            "staged",
            JsonObject.builder()
                .put("version", staged.signed().version())
                .put("expires", staged.signed().expires().toString())
                .put("requirements", new JsonArray(requirements))
                .build());
      }
      roles.put(role.typeName(), entry.build());
    }
    return JsonObject.builder()
        .put("repository", repository.directory().toString())
        .put("classical", repository.settings().classical())
        .put("roles", roles.build())
        .build();
  }

  private static JsonArray strings(List<String> values) {
    List<JsonValue> json = new ArrayList<>();
    values.forEach(v -> json.add(new JsonString(v)));
    return new JsonArray(json);
  }
}
