package dev.graft.gateway.agent.report;

import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Signs the gateway's reports with its identity key and numbers them. It owns the counter: one
 * sequence for every report kind, advanced durably through a {@link ReportCounter} before each
 * signature. Thread-safe: {@link #sign} is serialised so two reports never share a counter.
 */
public final class ReportSigner {
  private final String gatewayId;
  private final Signer identityKey;
  private final ReportCounter counterStore;
  private final Clock clock;
  private final int maxBytes;

  /** Guarded by {@code this}. */
  private long last;

  /**
   * A signer for {@code gatewayId} that continues the sequence in {@code counterStore}.
   *
   * @param identityKey the gateway identity key (ECDSA P-256), from a key file or a PKCS#11 token
   * @param maxBytes the largest report this signer will produce; the verifier's cap, so a report
   *     that the rollout service would refuse for its size fails here, loudly, instead
   * @throws IllegalArgumentException when the key is not ECDSA P-256
   */
  public ReportSigner(
      String gatewayId, Signer identityKey, ReportCounter counterStore, Clock clock, int maxBytes) {
    if (identityKey.publicKey().type().orElse(null) != KeyType.ECDSA_P256) {
      throw new IllegalArgumentException(
          "gateway identity keys are ECDSA P-256 ("
              + KeyType.ECDSA_P256.scheme()
              + "), but "
              + identityKey.description()
              + " is "
              + identityKey.publicKey().scheme());
    }
    this.gatewayId = gatewayId;
    this.identityKey = identityKey;
    this.counterStore = counterStore;
    this.clock = clock;
    this.maxBytes = maxBytes;
    this.last = counterStore.last();
  }

  /** A signer whose size limit is {@link ReportVerifier#DEFAULT_MAX_BYTES}. */
  public ReportSigner(
      String gatewayId, Signer identityKey, ReportCounter counterStore, Clock clock) {
    this(gatewayId, identityKey, counterStore, clock, ReportVerifier.DEFAULT_MAX_BYTES);
  }

  /**
   * Numbers, signs and encodes one report: the canonical JSON bytes to publish on {@code
   * graft/v1/gw/{gateway}/{kind}}.
   *
   * @param directorTargetsSha256 the hash of the director targets the report is about, if any
   * @throws IllegalArgumentException when the encoded report would exceed the size limit; the
   *     counter is then still used up, which costs nothing since only "strictly above" matters
   */
  public synchronized byte[] sign(
      ReportKind kind, Optional<String> directorTargetsSha256, JsonObject content) {
    long next = Math.addExact(last, 1);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Report report = new Report(gatewayId, next, now, kind, directorTargetsSha256, content);
    counterStore.advanceTo(next);
    last = next;
    JsonObject signed = ReportJson.toSigned(report);
    byte[] signature = identityKey.sign(CanonicalJson.encode(signed));
    JsonObject envelope =
        JsonObject.builder()
            .put("signed", signed)
            .put(
                "signatures",
                JsonArray.of(
                    JsonObject.builder()
                        .put("keyid", identityKey.keyId())
                        .put("sig", HexFormat.of().formatHex(signature))
                        .build()))
            .build();
    byte[] bytes = CanonicalJson.encode(envelope);
    if (bytes.length > maxBytes) {
      throw new IllegalArgumentException(
          kind.wireName()
              + " report "
              + next
              + " is "
              + bytes.length
              + " bytes, more than the limit of "
              + maxBytes
              + "; send less content per report");
    }
    return bytes;
  }

  /** The last counter used, 0 before the first report. */
  public synchronized long lastCounter() {
    return last;
  }
}
