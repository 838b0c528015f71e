package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft audit verify} on exports written as the gateway writes them. */
class AuditVerifyTest {
  private static final Instant T0 = Instant.parse("2026-12-08T03:00:00Z");

  @TempDir Path temp;

  private SoftwareKey identity;
  private Path identityKey;
  private List<AuditRecord> records;

  @BeforeEach
  void gateway() throws Exception {
    identity = SoftwareKey.generate(KeyType.ECDSA_P256);
    identityKey = temp.resolve("gw-0042.identity.pub.json");
    Files.write(identityKey, PublicKeyFile.encode(identity.publicKey()));
    records = new ArrayList<>();
    Optional<AuditRecord> head = Optional.empty();
    for (int i = 1; i <= 40; i++) {
      AuditRecord next =
          AuditRecord.next(
              head,
              T0.plusSeconds(i),
              i == 1 ? AuditKind.STARTED : AuditKind.OPERATOR,
              JsonObject.builder().put("n", i).build());
      records.add(next);
      head = Optional.of(next);
    }
  }

  private Path export(List<AuditRecord> records) throws Exception {
    Path dir = Files.createDirectories(temp.resolve("export"));
    Files.write(dir.resolve("audit.jsonl"), AuditChain.toLines(records));
    return dir;
  }

  /** A status report as ReportSigner writes it, signed by {@code key}. */
  private Path status(SoftwareKey key, long seq, String sha256) throws Exception {
    JsonObject signed =
        JsonObject.builder()
            .put("_type", "graft-report")
            .put("gateway", "gw-0042")
            .put("counter", 19)
            .put("time", "2026-12-08T04:00:00Z")
            .put("kind", "status")
            .put(
                "content",
                JsonObject.builder()
                    .put("state", "idle")
                    .put(
                        "audit", JsonObject.builder().put("seq", seq).put("sha256", sha256).build())
                    .build())
            .build();
    JsonObject envelope =
        JsonObject.builder()
            .put("signed", signed)
            .put(
                "signatures",
                new JsonArray(
                    List.of(
                        JsonObject.builder()
                            .put("keyid", key.keyId())
                            .put(
                                "sig",
                                HexFormat.of().formatHex(key.sign(CanonicalJson.encode(signed))))
                            .build())))
            .build();
    Path file = temp.resolve("status.json");
    Files.write(file, CanonicalJson.encode(envelope));
    return file;
  }

  @Test
  void verify_goodChain_printsTheCountAndTheHead() throws Exception {
    Path dir = export(records);

    GraftRun.Result result = graft().run("audit", "verify", dir.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("40 record(s), seq 1–40, one unbroken hash chain")
        .contains("head: seq 40 sha256 " + records.getLast().sha256());
  }

  @Test
  void verify_theFileItself_isAccepted() throws Exception {
    Path file = export(records).resolve("audit.jsonl");

    GraftRun.Result result = graft().run("audit", "verify", file.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
  }

  @Test
  void verify_tamperedChain_failsNamingTheSeq() throws Exception {
    Path dir = export(records);
    Path file = dir.resolve("audit.jsonl");
    String text = Files.readString(file).replace("{\"n\":17}", "{\"n\":71}");
    Files.writeString(file, text, StandardCharsets.UTF_8);

    GraftRun.Result result = graft().run("audit", "verify", dir.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err())
        .contains("graft audit verify: " + file + ": audit record 17 states sha256 ")
        .contains("it was altered after it was written");
  }

  @Test
  void verify_removedRecord_failsNamingTheGap() throws Exception {
    List<AuditRecord> removed = new ArrayList<>(records);
    removed.remove(9);
    Path dir = export(removed);

    GraftRun.Result result = graft().run("audit", "verify", dir.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err()).contains("audit record 11 stands where record 10 must");
  }

  @Test
  void verify_statusHeadInTheExport_passes() throws Exception {
    Path dir = export(records);
    Path status = status(identity, 38, records.get(37).sha256());

    GraftRun.Result result =
        graft()
            .run(
                "audit",
                "verify",
                dir.toString(),
                "--status",
                status.toString(),
                "--identity-key",
                identityKey.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("signed status: gateway gw-0042, counter 19")
        .contains("names audit record 38 sha256 " + records.get(37).sha256())
        .contains("the export holds it and 2 later record(s)");
  }

  @Test
  void verify_exportTruncatedBelowTheSignedHead_fails() throws Exception {
    Path dir = export(records.subList(0, 37));
    Path status = status(identity, 40, records.get(39).sha256());

    GraftRun.Result result =
        graft()
            .run(
                "audit",
                "verify",
                dir.toString(),
                "--status",
                status.toString(),
                "--identity-key",
                identityKey.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.out()).contains("37 record(s)"); // the chain itself is intact
    assertThat(result.err())
        .contains("the signed status names audit record 40 but the export ends at 37");
  }

  @Test
  void verify_statusHeadWithAnotherHash_fails() throws Exception {
    Path dir = export(records);
    Path status = status(identity, 40, "e".repeat(64));

    GraftRun.Result result =
        graft()
            .run(
                "audit",
                "verify",
                dir.toString(),
                "--status",
                status.toString(),
                "--identity-key",
                identityKey.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err())
        .contains("the signed status names audit record 40 with sha256 " + "e".repeat(64));
  }

  @Test
  void verify_statusSignedByAnotherKey_fails() throws Exception {
    Path dir = export(records);
    Path status = status(SoftwareKey.generate(KeyType.ECDSA_P256), 40, records.getLast().sha256());

    GraftRun.Result result =
        graft()
            .run(
                "audit",
                "verify",
                dir.toString(),
                "--status",
                status.toString(),
                "--identity-key",
                identityKey.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err())
        .contains("no signature on this status verifies with the identity key in " + identityKey);
  }

  @Test
  void verify_statusAlteredAfterSigning_fails() throws Exception {
    Path dir = export(records.subList(0, 37));
    Path status = status(identity, 40, records.get(39).sha256());
    // Lower the signed head to fit the truncated export: the signature no longer covers it.
    Files.writeString(status, Files.readString(status).replace("\"seq\":40", "\"seq\":37"));

    GraftRun.Result result =
        graft()
            .run(
                "audit",
                "verify",
                dir.toString(),
                "--status",
                status.toString(),
                "--identity-key",
                identityKey.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err()).contains("no signature on this status verifies");
  }

  @Test
  void verify_statusWithoutKey_isAUsageError() throws Exception {
    Path dir = export(records);

    GraftRun.Result result =
        graft().run("audit", "verify", dir.toString(), "--status", "status.json");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).contains("--status and --identity-key go together");
  }

  @Test
  void verify_help_saysWhatTheFileIsAndWhereItComesFrom() {
    GraftRun.Result result = graft().run("audit", "verify", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("audit log export")
        .contains("update agent")
        .contains("--status")
        .contains("docs/audit.md");
  }
}
