package dev.graft.signer.cli;

import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonNumber;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.pkcs11.SecretSource;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.ExitCode;
import dev.graft.signer.ProgressBar;
import dev.graft.signer.repo.ImageRepository;
import dev.graft.signer.repo.PublishPlan;
import dev.graft.signer.repo.RepoLock;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.MqttLogin;
import dev.graft.transport.MqttOptions;
import dev.graft.transport.PruneReport;
import dev.graft.transport.PublishReport;
import dev.graft.transport.Publisher;
import dev.graft.transport.TlsOptions;
import dev.graft.transport.TransportException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft publish DIR --broker URI}: the repository onto an MQTT broker's retained topics. */
@Command(
    name = "publish",
    header = "Publishes the repository to an MQTT broker (retained topics).",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Publishes what DIR has published (every root version, targets, snapshot, timestamp) and"
          + " its bundles, cut into their signed chunk lists, to the retained topics of"
          + " docs/protocol.md (graft/v1/repo/…), QoS 1, checking every PUBACK. Timestamp goes last,"
          + " so a gateway that sees it finds everything it names.",
      "",
      "Before anything is sent, the repository is checked as a gateway would check it: nothing"
          + " is published when a role is expired or below its threshold, or a file does not"
          + " verify. Staged versions still collecting signatures are never published.",
      "",
      "An interrupted publish resumes: acknowledged chunks are recorded in a journal"
          + " (DIR/publish/…journal) and not sent again. Progress with throughput is shown on a"
          + " terminal; nothing in pipes.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft publish repo/ --broker mqtt://127.0.0.1:1883",
      "  graft publish repo/ --broker mqtts://broker.example.net:8883 \\",
      "      --tls-ca ca.pem --tls-cert publisher.pem --tls-key publisher.key",
      "  graft publish repo/ --broker mqtts://broker.example.net:8883 \\",
      "      --tls-ca ca.pem --username graft-publisher --password env:BROKER_PW",
      "  graft publish repo/ --broker mqtt://127.0.0.1:1883 --prune --json | jq .sent",
      "",
      "The broker's ACL must let this identity write graft/v1/repo/#",
      "  (deploy/mosquitto/acl: certificate CN graft-publisher).",
      "Exit codes: 0 published, 1 refused or failed (a refusal publishes nothing;",
      "  after a broker error, run it again to resume), 2 usage error."
    })
public final class PublishCommand implements Runnable {
  private final CliContext context;

  @Parameters(index = "0", paramLabel = "DIR", description = "The repository.")
  private Path directory = Path.of(".");

  @Option(
      names = "--broker",
      paramLabel = "URI",
      required = true,
      description = "mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (TLS; default port 8883).")
  private String broker = "";

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "PEM CA certificate(s) the broker's certificate must chain to (mqtts://).")
  private @Nullable Path tlsCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM client certificate; its CN is the MQTT identity the ACL sees.")
  private @Nullable Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "Unencrypted PKCS#8 PEM key of --tls-cert (protect it with 0600).")
  private @Nullable Path tlsKey;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description =
          "Instead of --tls-cert/--tls-key: a PKCS#12 or JKS key store with the client key.")
  private @Nullable Path tlsKeyStore;

  @Option(
      names = "--tls-keystore-password",
      paramLabel = "SOURCE",
      description = "Password of --tls-keystore: env:NAME, file:PATH or prompt (default).")
  private String tlsKeyStorePassword = "prompt";

  @Option(
      names = "--tls-truststore",
      paramLabel = "FILE",
      description = "With --tls-keystore, instead of --tls-ca: a key store holding the CA.")
  private @Nullable Path tlsTrustStore;

  @Option(
      names = "--tls-truststore-password",
      paramLabel = "SOURCE",
      description = "Password of --tls-truststore (default: that of --tls-keystore).")
  private @Nullable String tlsTrustStorePassword;

  @Option(
      names = "--username",
      paramLabel = "NAME",
      description = "User name for brokers that authenticate with a password.")
  private @Nullable String username;

  @Option(
      names = "--password",
      paramLabel = "SOURCE",
      description = "Password for --username: env:NAME, file:PATH or prompt (default).")
  private String password = "prompt";

  @Option(
      names = "--prune",
      description =
          "Afterwards, clear the retained chunks and chunk lists of targets no longer listed.")
  private boolean prune;

  @Option(
      names = "--journal",
      paramLabel = "FILE",
      description = "Resume journal (default: DIR/publish/SCHEME-HOST-PORT.journal).")
  private @Nullable Path journal;

  @Option(
      names = "--no-resume",
      description =
          "Send every chunk again and start a new journal (after the broker lost its retained"
              + " messages).")
  private boolean noResume;

  @Option(names = "--json", description = "Machine-readable summary on standard output.")
  private boolean json;

  PublishCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    MqttOptions options = connectionOptions();
    Path journalFile = journal != null ? journal : defaultJournal(directory, options.broker());
    try (RepoLock lock = RepoLock.acquire(directory)) {
      ImageRepository repository = ImageRepository.open(directory, context.clock());
      PublishPlan plan = PublishPlan.prepare(repository, context.clock());
      MqttOptions withLogin = options.withLogin(login());
      if (noResume) {
        deleteJournal(journalFile);
      }
      try (MqttConnection connection = MqttConnection.open(withLogin)) {
        Publisher publisher = new Publisher(connection, Optional.of(journalFile));
        ProgressBar bar = new ProgressBar(context.terminal(), "publishing");
        PublishReport report;
        try {
          report =
              publisher.publish(
                  plan.set(),
                  p ->
                      bar.update(
                          p.bytesDone(),
                          p.bytesTotal(),
                          p.bytesPerSecond(),
                          p.messagesDone() + "/" + p.messagesTotal() + " messages"));
        } catch (TransportException e) { // BrokerRefusedException included: topic and code
          throw interrupted(e.getMessage(), journalFile);
        } finally {
          bar.finish();
        }
        Optional<PruneReport> pruned = Optional.empty();
        if (prune) {
          try {
            pruned = Optional.of(publisher.prune(plan.keepSha256()));
          } catch (TransportException e) {
            throw new CliException(
                "everything was published, but pruning failed: "
                    + e.getMessage()
                    + "; run the same command again to finish pruning");
          }
        }
        print(plan, report, pruned, options.broker(), journalFile);
      }
    }
  }

  private static CliException interrupted(@Nullable String why, Path journalFile) {
    return new CliException(
        "publishing stopped: "
            + why
            + ". The new timestamp was not published, so gateways still see the previous"
            + " release; chunks the broker acknowledged are recorded in "
            + journalFile
            + ", and running the same command again sends only the rest");
  }

  private MqttOptions connectionOptions() {
    URI uri;
    try {
      uri = new URI(broker);
    } catch (URISyntaxException e) {
      throw new CliException(
          ExitCode.USAGE, "--broker: not a URI (" + e.getReason() + "); e.g. mqtts://host:8883");
    }
    if (uri.getRawUserInfo() != null) {
      // The value is not repeated: it may hold a password.
      throw new CliException(
          ExitCode.USAGE,
          "--broker must not carry a user name or password; use --username and --password"
              + " SOURCE, so the password stays out of shell history and process lists");
    }
    boolean tls = "mqtts".equalsIgnoreCase(uri.getScheme());
    boolean pem = tlsCa != null || tlsCert != null || tlsKey != null;
    boolean stores = tlsKeyStore != null || tlsTrustStore != null;
    TlsOptions tlsOptions = null;
    if (!tls && (pem || stores)) {
      throw new CliException(
          ExitCode.USAGE,
          "TLS options were given but --broker " + uri + " is plain MQTT; use mqtts://");
    }
    if (tls && pem && stores) {
      throw new CliException(
          ExitCode.USAGE,
          "give either PEM files (--tls-ca, --tls-cert, --tls-key) or key stores"
              + " (--tls-truststore, --tls-keystore), not both");
    }
    if (tls && stores) {
      if (tlsKeyStore == null || tlsTrustStore == null) {
        throw new CliException(
            ExitCode.USAGE, "--tls-keystore and --tls-truststore go together: give both");
      }
      tlsOptions = keyStores(tlsTrustStore, tlsKeyStore);
    } else if (tls) {
      if (tlsCa == null) {
        throw new CliException(
            ExitCode.USAGE,
            "--broker "
                + uri
                + " uses TLS: give the CA that signed the broker's certificate with --tls-ca"
                + " FILE (and --tls-cert/--tls-key for a client certificate), or key stores with"
                + " --tls-truststore/--tls-keystore");
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new CliException(
            ExitCode.USAGE, "--tls-cert and --tls-key go together: give both or neither");
      }
      tlsOptions =
          tlsCert != null && tlsKey != null
              ? new TlsOptions.Pem(tlsCa, tlsCert, tlsKey)
              : new TlsOptions.CaOnly(tlsCa);
    }
    try {
      return MqttOptions.of(uri, tlsOptions);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--broker: " + e.getMessage());
    }
  }

  private TlsOptions keyStores(Path trustStore, Path keyStore) {
    char[] keyPassword =
        context
            .secrets()
            .read(
                SecretSource.parse(tlsKeyStorePassword, "--tls-keystore-password"),
                "the password of key store " + keyStore);
    char[] trustPassword =
        tlsTrustStorePassword == null
            ? keyPassword.clone()
            : context
                .secrets()
                .read(
                    SecretSource.parse(tlsTrustStorePassword, "--tls-truststore-password"),
                    "the password of trust store " + trustStore);
    try {
      return new TlsOptions.KeyStores(trustStore, trustPassword, keyStore, keyPassword);
    } finally {
      Arrays.fill(keyPassword, '\0');
      Arrays.fill(trustPassword, '\0');
    }
  }

  private @Nullable MqttLogin login() {
    if (username == null) {
      return null;
    }
    char[] secret =
        context
            .secrets()
            .read(
                SecretSource.parse(password, "--password"),
                "the broker password of user " + username);
    try {
      return new MqttLogin(username, secret);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--username: " + e.getMessage());
    } finally {
      Arrays.fill(secret, '\0');
    }
  }

  /** {@code DIR/publish/mqtts-broker.example.net-8883.journal}: one journal per broker. */
  static Path defaultJournal(Path directory, URI broker) {
    String scheme = broker.getScheme().toLowerCase(Locale.ROOT);
    int port = broker.getPort() > 0 ? broker.getPort() : (scheme.equals("mqtts") ? 8883 : 1883);
    String host = String.valueOf(broker.getHost()).replaceAll("[^A-Za-z0-9.-]", "_");
    return directory.resolve("publish").resolve(scheme + "-" + host + "-" + port + ".journal");
  }

  private static void deleteJournal(Path journalFile) {
    try {
      Files.deleteIfExists(journalFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void print(
      PublishPlan plan,
      PublishReport report,
      Optional<PruneReport> pruned,
      URI brokerUri,
      Path journalFile) {
    PrintWriter out = context.terminal().out();
    if (json) {
      out.print(
          new String(
              PrettyJson.encode(toJson(plan, report, pruned, brokerUri)), StandardCharsets.UTF_8));
      out.println();
      out.flush();
      return;
    }
    List<Long> roots = plan.rootVersions();
    out.println("Published " + directory + " to " + brokerUri);
    out.println(
        "  metadata: root "
            + (roots.size() == 1 ? roots.getFirst() : roots.getFirst() + ".." + roots.getLast())
            + ", targets "
            + plan.targetsVersion()
            + ", snapshot "
            + plan.snapshotVersion()
            + ", timestamp "
            + plan.timestampVersion());
    for (PublishPlan.PlannedTarget target : plan.targets()) {
      out.println(
          "  "
              + target.path()
              + "  sha256 "
              + target.sha256().substring(0, 12)
              + "…  "
              + ProgressBar.bytes(target.length())
              + " in "
              + target.chunks()
              + " chunk(s)");
    }
    out.println(
        "  sent "
            + report.sent()
            + " message(s), "
            + ProgressBar.bytes(report.bytesSent())
            + ", in "
            + String.format(Locale.ROOT, "%.1f s", report.elapsed().toMillis() / 1000.0)
            + (report.skipped() > 0
                ? "; skipped "
                    + report.skipped()
                    + " chunk message(s) the broker had acknowledged before ("
                    + journalFile
                    + ")"
                : ""));
    pruned.ifPresent(p -> {
      if (p.removedTargets().isEmpty()) {
        out.println("Pruned nothing: the broker holds no chunks of unlisted targets");
      } else {
        out.println(
            "Pruned "
                + p.removedTargets().size()
                + " target(s) no longer listed ("
                + p.clearedTopics()
                + " retained topics cleared): "
                + String.join(", ", p.removedTargets()));
      }
    });
    for (String note : plan.pending()) {
      out.println("Not published: " + note);
    }
    out.flush();
  }

  private JsonObject toJson(
      PublishPlan plan, PublishReport report, Optional<PruneReport> pruned, URI brokerUri) {
    List<JsonValue> roots = new ArrayList<>();
    plan.rootVersions().forEach(v -> roots.add(new JsonNumber(v)));
    List<JsonValue> targets = new ArrayList<>();
    for (PublishPlan.PlannedTarget target : plan.targets()) {
      targets.add(
          JsonObject.builder()
              .put("path", target.path())
              .put("sha256", target.sha256())
              .put("length", target.length())
              .put("chunks", target.chunks())
              .build());
    }
    JsonObject.Builder summary =
        JsonObject.builder()
            .put("repository", directory.toString())
            .put("broker", brokerUri.toString())
            .put(
                "metadata",
                JsonObject.builder()
                    .put("root", new JsonArray(roots))
                    .put("targets", plan.targetsVersion())
                    .put("snapshot", plan.snapshotVersion())
                    .put("timestamp", plan.timestampVersion())
                    .build())
            .put("targets", new JsonArray(targets))
            .put("sent", report.sent())
            .put("skipped", report.skipped())
            .put("bytes_sent", report.bytesSent())
            .put("elapsed_ms", report.elapsed().toMillis())
            .put("pending", strings(plan.pending()));
    pruned.ifPresent(p ->
        summary.put(
            "pruned",
            JsonObject.builder()
                .put("targets", strings(p.removedTargets()))
                .put("cleared_topics", p.clearedTopics())
                .build()));
    return summary.build();
  }

  private static JsonArray strings(List<String> values) {
    List<JsonValue> json = new ArrayList<>();
    values.forEach(v -> json.add(new JsonString(v)));
    return new JsonArray(json);
  }
}
