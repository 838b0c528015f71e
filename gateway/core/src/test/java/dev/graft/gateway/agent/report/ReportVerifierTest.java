package dev.graft.gateway.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.gateway.agent.report.Verification.Reason;
import dev.graft.gateway.agent.report.Verification.Rejected;
import dev.graft.gateway.agent.report.Verification.Verified;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportVerifierTest {
  private static final String GATEWAY = "gw-boiler-7";
  private static final Instant NOW = Instant.parse("2026-12-08T03:20:00.123Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String TARGETS =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  private final SoftwareKey identity = SoftwareKey.generate(KeyType.ECDSA_P256);
  private final InMemoryCounter counter = new InMemoryCounter();
  private final ReportSigner signer = new ReportSigner(GATEWAY, identity, counter, CLOCK);
  private final ReportVerifier verifier = ReportVerifier.withDefaults();

  private static JsonObject status() {
    return JsonObject.builder()
        .put(
            "running",
            JsonObject.builder().put("module", "boiler-control").put("version", "1.4.0").build())
        .put("update_state", "idle")
        .build();
  }

  private Verification verify(byte[] bytes, long lastCounter) {
    return verifier.verify(bytes, identity.publicKey(), GATEWAY, lastCounter);
  }

  private static Rejected rejected(Verification verification) {
    assertThat(verification).isInstanceOf(Rejected.class);
    return (Rejected) verification;
  }

  @Test
  void verify_reportFromSigner_roundTrips() {
    byte[] bytes = signer.sign(ReportKind.STATUS, Optional.of(TARGETS), status());

    Verification verification = verify(bytes, 0);

    assertThat(verification)
        .isEqualTo(
            new Verified(
                new Report(GATEWAY, 1, NOW, ReportKind.STATUS, Optional.of(TARGETS), status())));
    assertThat(counter.last()).isEqualTo(1);
  }

  @Test
  void sign_isCanonicalTufForm() {
    byte[] bytes = signer.sign(ReportKind.HEALTH, Optional.empty(), JsonObject.empty());

    JsonObject envelope = JsonParser.withDefaults().parseObject(bytes);
    assertThat(CanonicalJson.encode(envelope)).isEqualTo(bytes);
    assertThat(envelope.members().keySet()).containsExactly("signatures", "signed");
    assertThat(envelope.array("signatures").size()).isEqualTo(1);
    assertThat(((JsonObject) envelope.array("signatures").get(0)).string("keyid"))
        .isEqualTo(identity.keyId());
    JsonObject signed = envelope.object("signed");
    assertThat(signed.string("_type")).isEqualTo("graft-report");
    assertThat(signed.string("gateway")).isEqualTo(GATEWAY);
    assertThat(signed.string("kind")).isEqualTo("health");
    assertThat(signed.string("time")).isEqualTo("2026-12-08T03:20:00.123Z");
    assertThat(signed.has("director_targets")).isFalse();
  }

  @Test
  void sign_countsUpAcrossKindsAndRestarts() {
    signer.sign(ReportKind.STATUS, Optional.empty(), status());
    signer.sign(ReportKind.EVENTS, Optional.empty(), JsonObject.empty());
    ReportSigner restarted = new ReportSigner(GATEWAY, identity, counter, CLOCK);

    byte[] bytes = restarted.sign(ReportKind.HEALTH, Optional.empty(), JsonObject.empty());

    assertThat(verify(bytes, 2)).isInstanceOf(Verified.class);
    assertThat(((Verified) verify(bytes, 2)).report().counter()).isEqualTo(3);
    assertThat(restarted.lastCounter()).isEqualTo(3);
  }

  @Test
  void verify_signatureBitFlipped_rejectedAsForged() {
    byte[] bytes = signer.sign(ReportKind.STATUS, Optional.empty(), status());
    JsonObject envelope = JsonParser.withDefaults().parseObject(bytes);
    JsonObject entry = (JsonObject) envelope.array("signatures").get(0);
    byte[] sig = HexFormat.of().parseHex(entry.string("sig"));
    sig[sig.length - 1] ^= 1;
    byte[] forged =
        CanonicalJson.encode(
            envelope.toBuilder()
                .put(
                    "signatures",
                    JsonArray.of(
                        entry.toBuilder().put("sig", HexFormat.of().formatHex(sig)).build()))
                .build());

    assertThat(rejected(verify(forged, 0)).reason()).isEqualTo(Reason.FORGED_SIGNATURE);
  }

  @Test
  void verify_signedBodyTampered_rejectedAsForged() {
    byte[] bytes = signer.sign(ReportKind.STATUS, Optional.empty(), status());
    JsonObject envelope = JsonParser.withDefaults().parseObject(bytes);
    JsonObject tampered =
        envelope.object("signed").toBuilder()
            .put("content", status().toBuilder().put("update_state", "committed").build())
            .build();
    byte[] forged = CanonicalJson.encode(envelope.toBuilder().put("signed", tampered).build());

    Rejected rejected = rejected(verify(forged, 0));

    assertThat(rejected.reason()).isEqualTo(Reason.FORGED_SIGNATURE);
    assertThat(rejected.message()).contains(GATEWAY).contains("forged");
  }

  @Test
  void verify_signedByAnotherKey_rejectedAsForged() {
    SoftwareKey other = SoftwareKey.generate(KeyType.ECDSA_P256);
    byte[] bytes =
        new ReportSigner(GATEWAY, other, new InMemoryCounter(), CLOCK)
            .sign(ReportKind.STATUS, Optional.empty(), status());

    assertThat(rejected(verify(bytes, 0)).reason()).isEqualTo(Reason.FORGED_SIGNATURE);
  }

  @Test
  void verify_sameCounterAgain_rejectedAsReplay() {
    byte[] bytes = signer.sign(ReportKind.EVENTS, Optional.empty(), JsonObject.empty());
    assertThat(verify(bytes, 0)).isInstanceOf(Verified.class);

    Rejected rejected = rejected(verify(bytes, 1));

    assertThat(rejected.reason()).isEqualTo(Reason.REPLAYED_COUNTER);
    assertThat(rejected.message()).contains("counter 1 was already seen").contains("replay");
  }

  @Test
  void verify_counterBelowLastSeen_rejected() {
    byte[] first = signer.sign(ReportKind.STATUS, Optional.empty(), status());
    signer.sign(ReportKind.STATUS, Optional.empty(), status());

    Rejected rejected = rejected(verify(first, 2));

    assertThat(rejected.reason()).isEqualTo(Reason.REPLAYED_COUNTER);
    assertThat(rejected.message()).contains("counter 1 is older than the last seen 2");
  }

  @Test
  void verify_anotherGatewaysReport_rejected() {
    byte[] bytes =
        new ReportSigner("gw-boiler-8", identity, new InMemoryCounter(), CLOCK)
            .sign(ReportKind.STATUS, Optional.empty(), status());

    Rejected rejected = rejected(verify(bytes, 0));

    assertThat(rejected.reason()).isEqualTo(Reason.WRONG_GATEWAY);
    assertThat(rejected.message()).contains("gw-boiler-8").contains(GATEWAY);
  }

  @Test
  void verify_oversized_rejectedBeforeParsing() {
    byte[] bytes = new byte[ReportVerifier.DEFAULT_MAX_BYTES + 1];

    Rejected rejected = rejected(verify(bytes, 0));

    assertThat(rejected.reason()).isEqualTo(Reason.OVERSIZED);
    assertThat(rejected.message()).contains(String.valueOf(ReportVerifier.DEFAULT_MAX_BYTES));
  }

  @Test
  void verify_signedReportAboveSmallerCap_rejectedAsOversized() {
    byte[] bytes = signer.sign(ReportKind.STATUS, Optional.empty(), status());

    Verification verification =
        ReportVerifier.withMaxBytes(bytes.length - 1)
            .verify(bytes, identity.publicKey(), GATEWAY, 0);

    assertThat(rejected(verification).reason()).isEqualTo(Reason.OVERSIZED);
  }

  @Test
  void verify_malformedJson_rejected() {
    byte[] bytes = "{\"signed\": {\"counter\": 1}, ".getBytes(StandardCharsets.UTF_8);

    assertThat(rejected(verify(bytes, 0)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void verify_noSignatures_rejectedAsMalformed() {
    byte[] bytes = signer.sign(ReportKind.STATUS, Optional.empty(), status());
    JsonObject envelope = JsonParser.withDefaults().parseObject(bytes);
    byte[] stripped =
        CanonicalJson.encode(envelope.toBuilder().put("signatures", JsonArray.of()).build());

    assertThat(rejected(verify(stripped, 0)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void verify_unknownKindCorrectlySigned_rejected() {
    JsonObject signed =
        ReportJson.toSigned(
                new Report(GATEWAY, 1, NOW, ReportKind.STATUS, Optional.empty(), status()))
            .toBuilder()
            .put("kind", "shell")
            .build();

    Rejected rejected = rejected(verify(envelope(signed), 0));

    assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_KIND);
    assertThat(rejected.message()).contains("shell");
  }

  @Test
  void verify_unknownMemberCorrectlySigned_rejectedAsMalformed() {
    JsonObject signed =
        ReportJson.toSigned(
                new Report(GATEWAY, 1, NOW, ReportKind.STATUS, Optional.empty(), status()))
            .toBuilder()
            .put("expires", "2099-01-01T00:00:00Z")
            .build();

    Rejected rejected = rejected(verify(envelope(signed), 0));

    assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(rejected.message()).contains("expires");
  }

  @Test
  void verify_wrongTypeCorrectlySigned_rejectedAsMalformed() {
    JsonObject signed =
        ReportJson.toSigned(
                new Report(GATEWAY, 1, NOW, ReportKind.STATUS, Optional.empty(), status()))
            .toBuilder()
            .put("_type", "targets")
            .build();

    assertThat(rejected(verify(envelope(signed), 0)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void verify_enrolledKeyNotEcdsa_rejectedAsUnusable() {
    byte[] bytes = signer.sign(ReportKind.STATUS, Optional.empty(), status());
    SoftwareKey ed25519 = SoftwareKey.generate(KeyType.ED25519);

    Verification verification = verifier.verify(bytes, ed25519.publicKey(), GATEWAY, 0);

    assertThat(rejected(verification).reason()).isEqualTo(Reason.UNUSABLE_KEY);
  }

  @Test
  void signer_nonEcdsaIdentityKey_refused() {
    SoftwareKey ed25519 = SoftwareKey.generate(KeyType.ED25519);

    assertThatThrownBy(() -> new ReportSigner(GATEWAY, ed25519, counter, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ECDSA P-256");
  }

  @Test
  void signer_reportAboveLimit_refused() {
    ReportSigner small = new ReportSigner(GATEWAY, identity, counter, CLOCK, 200);

    assertThatThrownBy(() -> small.sign(ReportKind.STATUS, Optional.of(TARGETS), status()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than the limit of 200");
  }

  private byte[] envelope(JsonObject signed) {
    byte[] sig = identity.sign(CanonicalJson.encode(signed));
    return CanonicalJson.encode(
        JsonObject.builder()
            .put("signed", signed)
            .put(
                "signatures",
                JsonArray.of(
                    JsonObject.builder()
                        .put("keyid", identity.keyId())
                        .put("sig", HexFormat.of().formatHex(sig))
                        .build()))
            .build());
  }

  /** A counter that forgets on process exit; the journal persists the real one. */
  private static final class InMemoryCounter implements ReportCounter {
    private long last;

    @Override
    public long last() {
      return last;
    }

    @Override
    public void advanceTo(long counter) {
      last = counter;
    }
  }
}
