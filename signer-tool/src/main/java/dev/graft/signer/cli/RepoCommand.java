package dev.graft.signer.cli;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.pkcs11.KeyRef;
import dev.graft.pkcs11.SecretSource;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.ExitCode;
import dev.graft.signer.KeySource;
import dev.graft.signer.repo.ImageRepository;
import dev.graft.signer.repo.OnlineSigning;
import dev.graft.signer.repo.RepoLock;
import dev.graft.signer.repo.RepoSettings;
import dev.graft.signer.repo.Staging;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft repo …}: creating and maintaining an image repository. */
@Command(
    name = "repo",
    mixinStandardHelpOptions = true,
    description = "Creates and maintains an image repository.",
    subcommands = {
      RepoInitCommand.class,
      RepoCommand.RotateRoot.class,
      RepoCommand.RotateKey.class,
      RepoCommand.Renew.class,
      RepoCommand.ExpireCheck.class,
      RepoCommand.RefreshTimestamp.class
    })
public final class RepoCommand implements Runnable {
  private final CliContext context;

  RepoCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(context.terminal().out());
  }

  /** {@code graft repo rotate-root DIR}. */
  @Command(
      name = "rotate-root",
      header = "Stages a new root version (renewal, root keys).",
      mixinStandardHelpOptions = true,
      description = {
        "Stages a new root version with a fresh expiry, optionally changing the root keys and"
            + " threshold. It needs the signatures of the current root's threshold AND of its own"
            + " (`graft sign DIR root`), so clients can walk from the old root to the new one.",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  graft repo rotate-root repo/                # renew before expiry",
        "  graft repo rotate-root repo/ --add-key new-root.pub.json \\",
        "      --remove-key 3f2a9c01"
      })
  static final class RotateRoot implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "DIR", description = "The repository.")
    private Path directory = Path.of(".");

    @Option(names = "--add-key", paramLabel = "KEY", description = "A root key to add.")
    private List<String> add = new ArrayList<>();

    @Option(
        names = "--remove-key",
        paramLabel = "KEYID",
        description = "A root key id (or unique prefix) to remove.")
    private List<String> remove = new ArrayList<>();

    @Option(names = "--threshold", paramLabel = "N", description = "New root threshold.")
    private @Nullable Integer threshold;

    @Option(
        names = "--passphrase",
        paramLabel = "SOURCE",
        description = "Passphrase of .pem keys given (default: prompt).")
    private String passphrase = "prompt";

    RotateRoot(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      try (RepoLock lock = RepoLock.acquire(directory)) {
        rotate(context, directory, RoleType.ROOT, add, remove, threshold, passphrase);
      }
    }
  }

  /** {@code graft repo rotate-key DIR ROLE}. */
  @Command(
      name = "rotate-key",
      header = "Stages a new root version changing one role's keys.",
      mixinStandardHelpOptions = true,
      description = {
        "Stages a new root version that adds or removes keys of ROLE (and maybe changes its"
            + " threshold). For snapshot and timestamp, an added key must be a private key (.pem"
            + " or pkcs11:) and is recorded as an online key. Sign the staged root with `graft"
            + " sign DIR root`.",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  graft repo rotate-key repo/ targets --add dave.pub.json --remove 77c1d2e3",
        "  graft repo rotate-key repo/ timestamp --add online/ts-2027.pem --remove 5b0e"
      })
  static final class RotateKey implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "DIR", description = "The repository.")
    private Path directory = Path.of(".");

    @Parameters(
        index = "1",
        paramLabel = "ROLE",
        converter = RoleConverter.class,
        completionCandidates = RoleConverter.All.class,
        description = "root, targets, snapshot or timestamp.")
    private RoleType role = RoleType.TARGETS;

    @Option(names = "--add", paramLabel = "KEY", description = "A key to add.")
    private List<String> add = new ArrayList<>();

    @Option(
        names = "--remove",
        paramLabel = "KEYID",
        description = "A key id (or unique prefix) to remove.")
    private List<String> remove = new ArrayList<>();

    @Option(names = "--threshold", paramLabel = "N", description = "New threshold.")
    private @Nullable Integer threshold;

    @Option(
        names = "--passphrase",
        paramLabel = "SOURCE",
        description = "Passphrase of .pem keys given (default: prompt).")
    private String passphrase = "prompt";

    RotateKey(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      try (RepoLock lock = RepoLock.acquire(directory)) {
        rotate(context, directory, role, add, remove, threshold, passphrase);
      }
    }
  }

  private static void rotate(
      CliContext context,
      Path directory,
      RoleType role,
      List<String> add,
      List<String> remove,
      @Nullable Integer threshold,
      String passphrase) {
    ImageRepository repository = ImageRepository.open(directory, context.clock());
    RepoSettings settings = repository.settings();
    boolean online = role == RoleType.SNAPSHOT || role == RoleType.TIMESTAMP;
    Map<String, TufKey> added = new LinkedHashMap<>();
    List<String> onlineRefs = new ArrayList<>();
    try (KeySource keys = context.keySource()) {
      for (String ref : add) {
        KeyRef parsed = KeyRef.parse(ref);
        if (online && parsed instanceof KeyRef.FileKeyRef file && file.isPublic()) {
          throw new CliException(
              ref
                  + " is a public key file; an online "
                  + role.typeName()
                  + " key signs unattended, so give its private key (.pem or pkcs11: URI)");
        }
        TufKey key = keys.publicKey(ref, SecretSource.parse(passphrase, "--passphrase"));
        boolean composite = key.type().map(KeyType::isComposite).orElse(false);
        if (settings.classical() && composite) {
          throw new CliException(
              ref + " is a composite key; this repository is classical (Ed25519 only)");
        }
        if (!settings.classical() && !online && !composite) {
          throw new CliException(
              ref
                  + " is a "
                  + key.keyType()
                  + " key; "
                  + role.typeName()
                  + " keys of a hybrid repository must be composite mldsa65-ed25519");
        }
        added.put(key.keyId(), key);
        if (online) {
          onlineRefs.add(
              parsed instanceof KeyRef.FileKeyRef file
                  ? file.path().toAbsolutePath().normalize().toString()
                  : ref);
        }
      }
    }
    Root base =
        repository.stagedRoot().map(SignedMetadata::signed).orElseGet(repository::effectiveRoot);
    List<String> removed = new ArrayList<>();
    for (String prefix : remove) {
      removed.add(resolveKeyId(base.role(role).keyIds(), prefix, role));
    }
    int discarded =
        new Staging(repository)
            .stageRoot(current -> {
              Map<String, TufKey> keyMap = new LinkedHashMap<>(current.keys());
              Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
              roles.putAll(current.roles());
              List<String> ids = new ArrayList<>(current.role(role).keyIds());
              ids.removeAll(removed);
              for (Map.Entry<String, TufKey> key : added.entrySet()) {
                if (!ids.contains(key.getKey())) {
                  ids.add(key.getKey());
                }
                keyMap.put(key.getKey(), key.getValue());
              }
              int newThreshold = threshold != null ? threshold : current.role(role).threshold();
              if (newThreshold < 1) {
                throw new CliException("--threshold must be at least 1");
              }
              roles.put(role, new Role(ids, newThreshold, current.role(role).unrecognized()));
              // Keys no role lists any more leave root's key table.
              keyMap
                  .keySet()
                  .removeIf(id -> roles.values().stream().noneMatch(r -> r.keyIds().contains(id)));
              return new Root(
                  current.specVersion(),
                  current.version(),
                  current.expires(),
                  current.consistentSnapshot(),
                  keyMap,
                  roles,
                  current.unrecognized());
            });
    boolean restagedTargets = false;
    if (role == RoleType.TARGETS && repository.stagedTargets().isEmpty()) {
      // Published targets were signed under the old keys or threshold; a version with the same
      // content lets the new targets keys sign, and the new root is published together with it.
      new Staging(repository).stageTargets(repository.currentTargets(), Map.of());
      restagedTargets = true;
    }
    RepoSettings updated = settings;
    for (String ref : onlineRefs) {
      updated = updated.withOnlineKey(role, ref);
    }
    if (updated != settings) {
      repository.saveSettings(updated);
    }
    PrintWriter out = context.terminal().out();
    ImageRepository reopened = ImageRepository.open(directory, context.clock());
    SignedMetadata<Root> staged = reopened.stagedRoot().orElseThrow();
    dev.graft.signer.repo.Changes.between(
            reopened.root().map(SignedMetadata::signed).orElse(null), staged.signed())
        .forEach(out::println);
    if (discarded > 0) {
      out.println("Discarded " + discarded + " signature(s) of the previously staged root");
    }
    if (restagedTargets) {
      out.println(
          "Staged a new targets version with the same targets: sign it with the new targets keys"
              + " (graft sign "
              + directory
              + " targets); the new root is published once both have their signatures");
    }
    StatusCommand.printSummary(reopened, out);
    out.flush();
  }

  private static String resolveKeyId(List<String> ids, String prefix, RoleType role) {
    List<String> matches = ids.stream().filter(id -> id.startsWith(prefix)).toList();
    if (matches.size() != 1) {
      throw new CliException(
          (matches.isEmpty() ? "no " : "more than one ")
              + role.typeName()
              + " key id starts with '"
              + prefix
              + "' (its keys: "
              + String.join(", ", ids)
              + ")");
    }
    return matches.getFirst();
  }

  /** {@code graft repo renew DIR ROLE}. */
  @Command(
      name = "renew",
      header = "Stages root or targets again with a fresh expiry, same content.",
      mixinStandardHelpOptions = true,
      description = {
        "Stages a new version of ROLE (targets or root) with the same content and a fresh expiry"
            + " (the role's lifetime from now), replacing any staged version and its signatures."
            + " Sign it as usual (`graft sign DIR ROLE`); it is published when it has its"
            + " threshold. For targets this renews the releases without a new bundle.",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  graft repo renew repo/ targets",
        "  graft sign repo/ targets --key alice.pem",
      })
  static final class Renew implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "DIR", description = "The repository.")
    private Path directory = Path.of(".");

    @Parameters(
        index = "1",
        paramLabel = "ROLE",
        converter = RoleConverter.class,
        completionCandidates = RoleConverter.Offline.class,
        description = "targets or root.")
    private RoleType role = RoleType.TARGETS;

    Renew(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      try (RepoLock lock = RepoLock.acquire(directory)) {
        renew();
      }
    }

    private void renew() {
      ImageRepository repository = ImageRepository.open(directory, context.clock());
      int discarded =
          switch (role) {
            case TARGETS -> {
              repository.verifyTargetFiles();
              yield new Staging(repository).stageTargets(repository.currentTargets(), Map.of());
            }
            case ROOT -> new Staging(repository).stageRoot(current -> current);
            default ->
                throw new CliException(
                    role.typeName()
                        + " is signed by its online key; renew it with `graft repo"
                        + " refresh-timestamp "
                        + directory
                        + "`");
          };
      PrintWriter out = context.terminal().out();
      ImageRepository reopened = ImageRepository.open(directory, context.clock());
      SignedMetadata<?> staged = reopened.staged(role).orElseThrow();
      out.println(
          "Staged "
              + role.typeName()
              + " version "
              + staged.signed().version()
              + " with the same content, expires "
              + staged.signed().expires());
      if (discarded > 0) {
        out.println(
            "Discarded "
                + discarded
                + " signature(s) of the previously staged "
                + role.typeName()
                + " version; its signers must sign again");
      }
      StatusCommand.printSummary(reopened, out);
      out.flush();
    }
  }

  /** {@code graft repo expire-check DIR}. */
  @Command(
      name = "expire-check",
      header = "Exits 3 when metadata expires soon (for timers).",
      mixinStandardHelpOptions = true,
      description = {
        "Lists published metadata that expires within the window (root and targets: --within;"
            + " the online snapshot and timestamp: --online-within) and exits with 3 when there is"
            + " any (0 when all is fine): run it from a timer so nothing expires unnoticed, the"
            + " classic way fleets get stranded.",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  graft repo expire-check repo/ --within 30d \\",
        "      || mail -s 'graft: re-sign' ops@example.com </dev/null",
      })
  static final class ExpireCheck implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "DIR", description = "The repository.")
    private Path directory = Path.of(".");

    @Option(
        names = "--within",
        paramLabel = "DURATION",
        converter = Lifetime.class,
        description = "The warning window (default: 30d).")
    private Duration within = Duration.ofDays(30);

    @Option(
        names = "--online-within",
        paramLabel = "DURATION",
        converter = Lifetime.class,
        description =
            "The window for the online snapshot and timestamp, which live days, not months, and"
                + " are renewed by refresh-timestamp (default: 12h).")
    private Duration onlineWithin = Duration.ofHours(12);

    ExpireCheck(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      ImageRepository repository = ImageRepository.open(directory, context.clock());
      Instant now = context.clock().instant();
      PrintWriter out = context.terminal().out();
      List<String> expiring = new ArrayList<>();
      for (RoleType role : RoleType.values()) {
        Optional<SignedMetadata<?>> published = repository.published(role);
        if (published.isEmpty()) {
          out.println(role.typeName() + ": nothing published");
          continue;
        }
        Instant expires = published.get().signed().expires();
        boolean online = role == RoleType.SNAPSHOT || role == RoleType.TIMESTAMP;
        Duration window = online ? onlineWithin : within;
        String state =
            !now.isBefore(expires)
                ? "EXPIRED"
                : expires.isBefore(now.plus(window)) ? "expires within " + human(window) : "ok";
        out.println(
            role.typeName()
                + ": version "
                + published.get().signed().version()
                + " expires "
                + expires
                + " — "
                + state
                + (state.equals("ok") ? "" : "; " + NextSteps.renewalAdvice(directory, role)));
        if (!state.equals("ok")) {
          expiring.add(role.typeName());
        }
      }
      out.flush();
      if (!expiring.isEmpty()) {
        throw new CliException(
            ExitCode.ATTENTION,
            String.join(", ", expiring) + " expire(s) soon or expired (see above)");
      }
    }

    private static String human(Duration duration) {
      return duration.toHours() % 24 == 0 ? duration.toDays() + "d" : duration.toHours() + "h";
    }
  }

  /** {@code graft repo refresh-timestamp DIR}. */
  @Command(
      name = "refresh-timestamp",
      header = "Re-signs timestamp (and snapshot) with the online key.",
      mixinStandardHelpOptions = true,
      description = {
        "Re-signs the timestamp with the online key and a fresh expiry; also the snapshot when"
            + " it would otherwise expire before the refresh after next. Changes nothing else, so"
            + " it is safe to run from a timer (passphrase from env:GRAFT_ONLINE_PASSPHRASE or"
            + " --online-passphrase; token keys take their PIN from the URI's pin-source).",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  GRAFT_ONLINE_PASSPHRASE=… graft repo refresh-timestamp repo/",
        "  # systemd timer: OnCalendar=*-*-* 00/6:00:00 with the command above"
      })
  static final class RefreshTimestamp implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "DIR", description = "The repository.")
    private Path directory = Path.of(".");

    @Option(
        names = "--online-passphrase",
        paramLabel = "SOURCE",
        description = "Passphrase of the online key files (prompt, file:PATH, env:NAME).")
    private @Nullable String onlinePassphrase;

    RefreshTimestamp(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      try (RepoLock lock = RepoLock.acquire(directory)) {
        refresh();
      }
    }

    private void refresh() {
      ImageRepository repository = ImageRepository.open(directory, context.clock());
      SecretSource source =
          onlinePassphrase != null
              ? SecretSource.parse(onlinePassphrase, "--online-passphrase")
              : OnlineKeys.defaultPassphrase(context.environment());
      try (KeySource keys = context.keySource()) {
        List<String> written =
            new OnlineSigning(
                    repository, new OnlineKeys(directory, repository.settings(), keys, source))
                .refreshTimestamp();
        PrintWriter out = context.terminal().out();
        out.println("Wrote " + String.join(", ", written));
        out.flush();
      }
    }
  }
}
