package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.signer.CliContext;
import dev.graft.signer.ExitCode;
import dev.graft.signer.Graft;
import dev.graft.signer.GraftRun;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The first hour with {@code graft} as a new user meets it (issue #14): the README's release path
 * pasted as a block, expiries, a version going backwards, and the messages met on the way.
 */
class FirstHourTest {
  private static final String PASS = "demo passphrase 1";

  @TempDir Path temp;

  private final Instant start = Instant.now();

  private static GraftRun demo() {
    return graft().env("PASS", PASS).env("GRAFT_ONLINE_PASSPHRASE", PASS);
  }

  private static GraftRun demoAt(Instant at) {
    return demo().clock(Clock.fixed(at, ZoneOffset.UTC));
  }

  private Path repository() {
    Path repo = temp.resolve("repo");
    GraftRun.Result init =
        demo()
            .run(
                "repo", "init", repo.toString(), "--passphrase=env:PASS", "--kdf-iterations=10000");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    return repo;
  }

  private static GraftRun.Result add(GraftRun run, Path repo, Path bundle, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("release", "add", repo.toString(), bundle.toString(), "--hardware", "gw"));
    args.addAll(List.of(extra));
    return run.run(args.toArray(String[]::new));
  }

  private static String[] sign(Path repo, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                repo.resolve("keys/targets-1.pem").toString(),
                "--passphrase=env:PASS"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  // ---- item 3: every passphrase is checked before the confirmation ----

  @Test
  void sign_emptyOnlinePassphrase_refusedBeforeTheConfirmationIsAsked() throws Exception {
    Path repo = repository();
    assertThat(add(demo(), repo, Fixtures.bundle(temp, "thermo", "1.0.0")).exitCode()).isZero();

    GraftRun.Result result =
        graft().env("PASS", PASS).env("GRAFT_ONLINE_PASSPHRASE", "").typing("y").run(sign(repo));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err()).contains("GRAFT_ONLINE_PASSPHRASE", "is empty");
    assertThat(result.out() + result.err()).doesNotContain("[y/N]");
    assertThat(repo.resolve("metadata/2.targets.json")).doesNotExist();
  }

  // ---- item 4: a confirmation nobody answers names --yes ----

  @Test
  void sign_noAnswerOnStandardInput_notSignedAndTheMessageNamesYes() throws Exception {
    Path repo = repository();
    assertThat(add(demo(), repo, Fixtures.bundle(temp, "thermo", "1.0.0")).exitCode()).isZero();

    GraftRun.Result nobody = demo().run(sign(repo));
    GraftRun.Result pasted = demo().typing("bin/graft status repo/").run(sign(repo));

    assertThat(nobody.exitCode()).isEqualTo(ExitCode.DECLINED.code());
    assertThat(nobody.err()).contains("not signed; nothing was changed", "--yes");
    assertThat(pasted.exitCode()).isEqualTo(ExitCode.DECLINED.code());
    assertThat(pasted.err()).contains("'bin/graft status repo/'", "--yes");
    assertThat(demo().run(sign(repo, "--yes")).exitCode()).isZero();
  }

  // ---- items 7 and 8: an expired staged version is refused; renew stages a fresh one ----

  @Test
  void sign_stagedTargetsExpired_refusedNamingRenew_thenRenewedAndPublished() throws Exception {
    Path repo = repository();
    assertThat(add(demo(), repo, Fixtures.bundle(temp, "thermo", "1.0.0")).exitCode()).isZero();
    Instant later = start.plus(Duration.ofDays(100));

    GraftRun.Result expired = demoAt(later).run(sign(repo, "--yes"));

    assertThat(expired.exitCode()).as(expired.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(expired.err())
        .contains("targets version 2 as staged expired at")
        .contains("graft repo renew " + repo + " targets");
    assertThat(repo.resolve("metadata/2.targets.json")).doesNotExist();

    GraftRun.Result renew = demoAt(later).run("repo", "renew", repo.toString(), "targets");
    assertThat(renew.exitCode()).as(renew.toString()).isZero();
    assertThat(renew.out()).contains("Staged targets version 2 with the same content");
    GraftRun.Result signed = demoAt(later).run(sign(repo, "--yes"));
    assertThat(signed.exitCode()).as(signed.toString()).isZero();
    assertThat(Files.readString(repo.resolve("metadata/2.targets.json")))
        .contains("thermo-1.0.0.graft");
    assertThat(demoAt(later).run("status", repo.toString()).exitCode()).isZero();
  }

  @Test
  void expireCheck_targetsExpiringSoon_namesTheRenewCommand() {
    Path repo = repository();

    GraftRun.Result soon =
        demoAt(start.plus(Duration.ofDays(70)))
            .run("repo", "expire-check", repo.toString(), "--online-within", "1h");

    assertThat(soon.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(soon.out()).contains("run graft repo renew " + repo + " targets");
  }

  @Test
  void renew_publishedTargets_sameTargetsFreshExpiry() throws Exception {
    Path repo = repository();
    assertThat(add(demo(), repo, Fixtures.bundle(temp, "thermo", "1.0.0")).exitCode()).isZero();
    assertThat(demo().run(sign(repo, "--yes")).exitCode()).isZero();
    Instant later = start.plus(Duration.ofDays(60));

    GraftRun.Result renew = demoAt(later).run("repo", "renew", repo.toString(), "targets");
    GraftRun.Result signed = demoAt(later).run(sign(repo, "--yes"));

    assertThat(renew.exitCode()).as(renew.toString()).isZero();
    assertThat(signed.exitCode()).as(signed.toString()).isZero();
    String renewed = Files.readString(repo.resolve("metadata/3.targets.json"));
    assertThat(renewed).contains("thermo-1.0.0.graft");
    assertThat(Fixtures.client(repo, true, Clock.fixed(later, ZoneOffset.UTC)).topLevelTargets())
        .satisfies(t -> assertThat(t.version()).isEqualTo(3));
  }

  // ---- item 9: a version going backwards needs --release-counter or --force ----

  @Test
  void releaseAdd_olderVersionAfterNewer_refusedUnlessForced() throws Exception {
    Path repo = repository();
    assertThat(add(demo(), repo, Fixtures.bundle(temp, "boiler", "1.1.0")).exitCode()).isZero();
    Path older = Fixtures.bundle(temp, "boiler", "1.0.0");

    GraftRun.Result refused = add(demo(), repo, older);

    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(refused.err())
        .contains("version 1.0.0 is older than 1.1.0")
        .contains("--release-counter N", "--force");
    assertThat(Files.readString(repo.resolve("staged/targets.json"))).doesNotContain("1.0.0");

    GraftRun.Result forced = add(demo(), repo, older, "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(forced.out()).contains("Warning: version 1.0.0 is older than 1.1.0");
    assertThat(forced.out()).contains("release counter 2");
  }

  @Test
  void releaseAdd_newerVersions_noWarning() throws Exception {
    Path repo = repository();
    assertThat(add(demo(), repo, Fixtures.bundle(temp, "boiler", "1.9.0")).exitCode()).isZero();

    GraftRun.Result added = add(demo(), repo, Fixtures.bundle(temp, "boiler", "1.10.0"));

    assertThat(added.exitCode()).as(added.toString()).isZero();
    assertThat(added.out()).doesNotContain("Warning");
  }

  // ---- item 10: status exits 3 when something expired, naming the fix ----

  @Test
  void status_expiredTimestamp_exits3AndNamesRefreshTimestamp() {
    Path repo = repository();

    GraftRun.Result status = demoAt(start.plus(Duration.ofDays(2))).run("status", repo.toString());

    assertThat(status.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(status.out())
        .contains("timestamp: version 1")
        .contains("EXPIRED; renew with `graft repo refresh-timestamp " + repo + "`");
    assertThat(status.err()).contains("timestamp expired");
  }

  // ---- items 11 and 12: manifest messages ----

  @Test
  void bundleBuild_misspeltMember_namesTheFileAndSuggestsTheMember() throws Exception {
    Path manifest = temp.resolve("mf/a.json");
    Files.createDirectories(manifest.getParent());
    Files.writeString(
        manifest,
        Files.readString(Examples.manifest("thermostat")).replace("\"tick_ms\"", "\"tickms\""));

    GraftRun.Result result =
        graft()
            .run(
                "bundle",
                "build",
                "--wasm",
                Examples.wasm("thermostat").toString(),
                "--manifest",
                manifest.toString(),
                "--out",
                temp.resolve("t.graft").toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains(manifest + " is not a valid manifest: line 5, column")
        .contains("unknown member 'tickms'; did you mean 'tick_ms'?")
        .doesNotContain("manifest.json line");
  }

  @Test
  void bundleBuild_moduleMemoryAboveTheManifestsLimit_namesTheManifestNotAGrant() throws Exception {
    Path manifest = temp.resolve("small.json");
    Files.writeString(
        manifest,
        Files.readString(Examples.manifest("thermostat"))
            .replace("\"memory_pages\": 2", "\"memory_pages\": 1"));

    GraftRun.Result result =
        graft()
            .run(
                "bundle",
                "build",
                "--wasm",
                Examples.wasm("thermostat").toString(),
                "--manifest",
                manifest.toString(),
                "--out",
                temp.resolve("t.graft").toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains("the manifest's limits.memory_pages of 1")
        .doesNotContain("grant");
  }

  // ---- item 13: broker errors in words ----

  @Test
  void publish_nothingListening_saysSoAndAsksWhetherTheBrokerRuns() throws Exception {
    Path repo =
        PublishFixtures.publishedRepository(
            temp, "1024", PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3000, 1));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }

    GraftRun.Result result =
        graft().run("publish", repo.toString(), "--broker", "mqtt://127.0.0.1:" + port);

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains("nothing is listening on 127.0.0.1:" + port + " — is the broker running?")
        .doesNotContain("Paho code");
  }

  @Test
  void publish_unknownHost_saysUnknownHost() throws Exception {
    Path repo =
        PublishFixtures.publishedRepository(
            temp, "1024", PublishFixtures.bundleWithData(temp, "thermo", "1.0.0", 3000, 1));

    GraftRun.Result result =
        graft().run("publish", repo.toString(), "--broker", "mqtt://no-such-host.invalid:1883");

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err())
        .contains("unknown host 'no-such-host.invalid'")
        .doesNotContain("Paho code");
  }

  // ---- item 14: an unknown option is named, with the closest one and a short usage ----

  @Test
  void unknownOption_namedWithTheClosestAndAShortUsage() {
    GraftRun.Result result = graft().run("publish", "repo/", "--borker", "mqtt://127.0.0.1:1883");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err())
        .contains("graft publish: unknown option '--borker'; did you mean '--broker'?")
        .contains("Usage: graft publish")
        .contains("graft publish --help")
        .doesNotContain("Missing required option");
    assertThat(result.err().lines().count()).isLessThan(15);
  }

  @Test
  void unknownCommand_namedWithTheClosest() {
    GraftRun.Result result = graft().run("sgin", "repo/");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err()).contains("unknown command 'sgin'; did you mean 'sign'?");
  }

  // ---- item 15: completion offers what the CLI accepts ----

  @Test
  void completion_rolesAreOfferedAsTheCliSpellsThem() {
    GraftRun.Result result = graft().run("completion");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .doesNotContain("\"TARGETS\"", "\"TIMESTAMP\"")
        .contains("(\"targets\" \"root\")", "(\"root\" \"targets\" \"snapshot\" \"timestamp\")");
    assertThat(graft().run("sign", "repo/", "TARGETS", "--key", "k.pem").err())
        .contains("'TARGETS' is not a role");
  }

  // ---- item 17: help never wraps inside a path or command ----

  @Test
  void help_everyExampleLineOfEveryCommandIsPrintedUnwrapped() {
    CommandLine root =
        Graft.commandLine(
            new CliContext(
                new dev.graft.signer.Terminal.Streams(
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()),
                    new ByteArrayInputStream(new byte[0]),
                    false,
                    prompt -> Optional.empty()),
                java.util.Map.of(),
                Clock.systemUTC()));
    List<CommandLine> all = new ArrayList<>();
    collect(root, all);
    List<String> wrapped = new ArrayList<>();
    for (CommandLine command : all) {
      String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
      CommandLine.Model.CommandSpec spec = command.getCommandSpec();
      for (String line : spec.usageMessage().footer()) {
        if (line.startsWith("  ") && !usage.contains(line.stripTrailing())) {
          wrapped.add(spec.qualifiedName() + ": " + line);
        }
      }
      // Paths and file names anywhere in the help (picocli also breaks lines after a '.').
      List<String> texts = new ArrayList<>();
      texts.addAll(List.of(spec.usageMessage().description()));
      texts.addAll(List.of(spec.usageMessage().footer()));
      spec.options().forEach(o -> texts.addAll(List.of(o.description())));
      spec.positionalParameters().forEach(p -> texts.addAll(List.of(p.description())));
      for (String text : texts) {
        for (String word : text.split("\\s+")) {
          String token = word.replaceAll("^[(`'\"]+|[)`'\",;:.]+$", "");
          if (token.matches(".*[/.].*[A-Za-z].*")
              && !token.contains("%n")
              && !usage.contains(token)) {
            wrapped.add(spec.qualifiedName() + ": " + token);
          }
        }
      }
    }
    assertThat(wrapped).as("example lines wrapped by the help").isEmpty();
    String policy = graft().run("policy", "check", "--help").out();
    assertThat(policy).contains("policies/examples/boiler-site.yaml");
  }

  private static void collect(CommandLine command, List<CommandLine> into) {
    into.add(command);
    command.getSubcommands().values().forEach(sub -> collect(sub, into));
  }

  // ---- item 18: policy check takes a manifest too ----

  @Test
  void policyCheck_manifestBeforeBuilding_checkedAgainstTheGrant() {
    GraftRun.Result accepted =
        graft()
            .run(
                "policy",
                "check",
                Examples.manifest("boiler-control-1.0").toString(),
                Examples.grant("boiler-site.yaml").toString());
    GraftRun.Result rejected =
        graft()
            .run(
                "policy",
                "check",
                Examples.manifest("boiler-control-1.0").toString(),
                Examples.grant("boiler-site-narrow.yaml").toString());

    assertThat(accepted.exitCode()).as(accepted.toString()).isZero();
    assertThat(accepted.out()).contains("would be ACCEPTED", "the module itself is checked");
    assertThat(rejected.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(rejected.out()).contains("would be REJECTED", "5 violations:");
  }
}
