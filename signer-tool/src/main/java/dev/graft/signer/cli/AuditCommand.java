package dev.graft.signer.cli;

import dev.graft.bundle.AuditChainException;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft audit …}: a gateway's hash-chained audit log, as the gateway exports it. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Checks a gateway's audit log export (audit.jsonl).",
    subcommands = {AuditCommand.Verify.class})
public final class AuditCommand implements Runnable {
  private final CliContext context;

  AuditCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(context.terminal().out());
  }

  /** {@code graft audit verify PATH [--status FILE --identity-key FILE]}. */
  @Command(
      name = "verify",
      header = "Checks that a gateway's audit log export is one unbroken hash chain.",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "PATH is audit.jsonl, or a directory holding it: the gateway's audit log export, written"
            + " by the update agent (AuditExport) from its journal. Each line is one record in"
            + " canonical JSON: seq (from 1), time, kind (accepted, staged, swapped, committed,"
            + " rolled_back, operator, …), detail, prev (the previous record's sha256) and sha256"
            + " (over the record without it). See docs/audit.md.",
        "Checks that the seqs run 1, 2, 3 … without a gap, that each record's sha256 is the hash"
            + " of its content and that each prev is the hash of the record before, then prints"
            + " how many records there are and the head (the last seq and its hash). An edited,"
            + " removed, inserted or reordered record is refused, naming its seq.",
        "A chain alone cannot show that records were cut from its end. The gateway signs its"
            + " audit head (seq and sha256) into every status report; with --status and"
            + " --identity-key, the report's signature is checked with the gateway's identity key"
            + " and the export must reach that seq with that hash.",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  graft audit verify gw-0042/audit.jsonl",
        "  graft audit verify gw-0042/ --status gw-0042/status.json \\",
        "      --identity-key gw-0042.identity.pub.json",
        "",
        "Exit codes: 0 the chain is intact (and reaches the signed head), 1 it is not, or the"
            + " status is not signed by the key (the message names the seq and what is wrong),"
            + " 2 usage error."
      })
  static final class Verify implements Runnable {
    /** Far above any real log (a few hundred bytes per record, a handful per update). */
    static final int MAX_EXPORT_BYTES = 256 * 1024 * 1024;

    /** As the rollout service's report verifier: reports are small. */
    static final int MAX_STATUS_BYTES = 64 * 1024;

    private static final String REPORT_TYPE = "graft-report";

    private final CliContext context;

    @Parameters(
        index = "0",
        paramLabel = "PATH",
        description = "The export: audit.jsonl, or the directory that holds it.")
    private Path path = Path.of(".");

    @Option(
        names = "--status",
        paramLabel = "FILE",
        description =
            "A status report the gateway signed; its audit head must be in the export. Needs"
                + " --identity-key.")
    private @Nullable Path status;

    @Option(
        names = "--identity-key",
        paramLabel = "FILE",
        description = "The gateway's public identity key (ECDSA P-256, a .pub.json key file).")
    private @Nullable Path identityKey;

    Verify(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      if ((status == null) != (identityKey == null)) {
        throw new CliException(
            ExitCode.USAGE,
            "--status and --identity-key go together: the status is trusted only with the key"
                + " that signed it");
      }
      Path file = Files.isDirectory(path) ? path.resolve("audit.jsonl") : path;
      byte[] bytes = InputFile.read(file, MAX_EXPORT_BYTES, "audit log export");
      List<AuditRecord> records;
      AuditChain.Verified verified;
      try {
        records = AuditChain.parseLines(bytes, MAX_EXPORT_BYTES);
        verified = AuditChain.verify(records);
      } catch (AuditChainException e) {
        throw new CliException(
            file
                + ": "
                + e.getMessage()
                + ". The export is not the gateway's audit log as the gateway wrote it");
      }
      PrintWriter out = context.terminal().out();
      if (verified.count() == 0) {
        out.println(file + ": no records; an empty chain");
      } else {
        out.println(
            file
                + ": "
                + verified.count()
                + " record(s), seq 1–"
                + verified.headSeq()
                + ", one unbroken hash chain");
        out.println("head: seq " + verified.headSeq() + " sha256 " + verified.headSha256());
      }
      if (status != null && identityKey != null) {
        SignedHead head = signedHead(status, identityKey);
        try {
          AuditChain.requireHead(records, head.seq(), head.sha256());
        } catch (AuditChainException e) {
          throw new CliException(file + ": " + e.getMessage());
        }
        out.println(
            "signed status: gateway "
                + head.gateway()
                + ", counter "
                + head.counter()
                + ", "
                + head.time()
                + " names audit record "
                + head.seq()
                + " sha256 "
                + head.sha256()
                + "; the export holds it"
                + (verified.headSeq() > head.seq()
                    ? " and " + (verified.headSeq() - head.seq()) + " later record(s)"
                    : ""));
      }
      out.flush();
    }

    /** The audit head in a status report, with what identifies the report. */
    private record SignedHead(String gateway, long counter, String time, long seq, String sha256) {}

    /**
     * Reads the status report, checks its signature over the canonical {@code signed} with the
     * identity key (as the rollout service's ReportVerifier does), then reads the head from it.
     */
    private static SignedHead signedHead(Path file, Path keyFile) {
      TufKey key =
          PublicKeyFile.decode(
              InputFile.read(keyFile, 64 * 1024, "public identity key"), keyFile.toString());
      if (key.type().orElse(null) != KeyType.ECDSA_P256) {
        throw new CliException(
            keyFile
                + " holds a "
                + key.scheme()
                + " key; gateway identity keys are "
                + KeyType.ECDSA_P256.scheme()
                + ": give the gateway's public identity key");
      }
      Verifier verifier =
          Verifiers.forKey(key)
              .orElseThrow(() -> new CliException(keyFile + " holds an unusable public key"));
      byte[] bytes = InputFile.read(file, MAX_STATUS_BYTES, "status report");
      try {
        JsonObject envelope = JsonParser.withCaps(MAX_STATUS_BYTES, 16).parseObject(bytes);
        if (envelope.size() != 2) {
          throw new JsonFormatException("a report holds exactly 'signed' and 'signatures'");
        }
        JsonObject signed = envelope.object("signed");
        byte[] message = CanonicalJson.encode(signed);
        boolean verifies = false;
        for (JsonValue entry : envelope.array("signatures").values()) {
          if (!(entry instanceof JsonObject signature)) {
            throw new JsonFormatException("a signature must be an object");
          }
          signature.string("keyid");
          byte[] sig;
          try {
            sig = HexFormat.of().parseHex(signature.string("sig"));
          } catch (IllegalArgumentException e) {
            throw new JsonFormatException("a signature is not hex", e);
          }
          verifies |= verifier.verify(message, sig);
        }
        if (!verifies) {
          throw new CliException(
              file
                  + ": no signature on this status verifies with the identity key in "
                  + keyFile
                  + " (key id "
                  + key.keyId()
                  + "); it is forged, altered, or from another gateway — its audit head is not"
                  + " trusted");
        }
        if (!REPORT_TYPE.equals(signed.string("_type"))) {
          throw new JsonFormatException("_type is not '" + REPORT_TYPE + "'");
        }
        if (!"status".equals(signed.string("kind"))) {
          throw new JsonFormatException(
              "it is a '" + signed.string("kind") + "' report, not a status report");
        }
        JsonObject audit = signed.object("content").object("audit");
        long seq = audit.integer("seq");
        String sha256 = audit.string("sha256");
        return new SignedHead(
            signed.string("gateway"),
            signed.integer("counter"),
            signed.string("time"),
            seq,
            sha256);
      } catch (JsonFormatException e) {
        throw new CliException(
            file + " is not a gateway status report with an audit head: " + e.getMessage());
      }
    }
  }
}
