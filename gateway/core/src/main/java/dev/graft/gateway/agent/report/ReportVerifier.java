package dev.graft.gateway.agent.report;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.gateway.agent.report.Verification.Reason;
import dev.graft.gateway.agent.report.Verification.Rejected;
import dev.graft.gateway.agent.report.Verification.Verified;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Decides whether report bytes come from the enrolled gateway and are newer than any report seen
 * from it. A pure function of its arguments: the caller keeps the last counter and moves it forward
 * only on {@link Verified}. Deny by default: anything not positively checked is {@link Rejected}.
 *
 * <p>The steps run in this order, and each refuses before the next reads anything: size cap, strict
 * parse, signature over the canonical {@code signed}, report kind and shape, gateway id, counter.
 */
public final class ReportVerifier {
  /** Reports are small; 64 KiB leaves room for an events batch and keeps a flood cheap to drop. */
  public static final int DEFAULT_MAX_BYTES = 64 * 1024;

  /** One signature is normal; a few allow a key rotation; more is someone wasting our time. */
  static final int MAX_SIGNATURES = 4;

  private static final int MAX_DEPTH = 16;

  private final int maxBytes;
  private final JsonParser parser;

  private ReportVerifier(int maxBytes) {
    this.maxBytes = maxBytes;
    this.parser = JsonParser.withCaps(maxBytes, MAX_DEPTH);
  }

  public static ReportVerifier withDefaults() {
    return new ReportVerifier(DEFAULT_MAX_BYTES);
  }

  /** A verifier with its own size cap, in bytes of the encoded report. */
  public static ReportVerifier withMaxBytes(int maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("report size cap must be positive, was " + maxBytes);
    }
    return new ReportVerifier(maxBytes);
  }

  /**
   * Verifies one report received for {@code expectedGateway}.
   *
   * @param identityKey the public identity key enrolled for {@code expectedGateway}
   * @param lastCounter the highest counter already accepted from that gateway, 0 if none
   */
  public Verification verify(
      byte[] bytes, TufKey identityKey, String expectedGateway, long lastCounter) {
    // 1. Size, before any parsing: a flood costs one comparison.
    if (bytes.length > maxBytes) {
      return new Rejected(
          Reason.OVERSIZED,
          "report is " + bytes.length + " bytes, more than the cap of " + maxBytes + "; refused");
    }
    Optional<Verifier> verifier = identityVerifier(identityKey);
    if (verifier.isEmpty()) {
      return new Rejected(
          Reason.UNUSABLE_KEY,
          "the identity key enrolled for gateway '"
              + expectedGateway
              + "' is not a usable "
              + KeyType.ECDSA_P256.scheme()
              + " key (scheme "
              + identityKey.scheme()
              + "); re-enroll the gateway");
    }

    // 2. Strict parse into the envelope.
    JsonObject signed;
    JsonArray signatures;
    try {
      JsonObject envelope = parser.parseObject(bytes);
      if (envelope.size() != 2) {
        throw new JsonFormatException("a report holds exactly 'signed' and 'signatures'");
      }
      signed = envelope.object("signed");
      signatures = envelope.array("signatures");
    } catch (JsonFormatException e) {
      return malformed(e);
    }
    if (signatures.size() == 0 || signatures.size() > MAX_SIGNATURES) {
      return new Rejected(
          Reason.MALFORMED,
          "report carries "
              + signatures.size()
              + " signatures; between 1 and "
              + MAX_SIGNATURES
              + " are accepted");
    }

    // 3. Signature over the canonical form of signed, by the enrolled key. Key ids are labels:
    // every entry is tried against the one key that counts.
    byte[] message = CanonicalJson.encode(signed);
    boolean signedByIdentity = false;
    for (JsonValue entry : signatures.values()) {
      byte[] signature;
      try {
        if (!(entry instanceof JsonObject object)) {
          throw new JsonFormatException("a signature must be an object, found " + entry.typeName());
        }
        object.string("keyid");
        signature = HexFormat.of().parseHex(object.string("sig"));
      } catch (JsonFormatException e) {
        return malformed(e);
      } catch (IllegalArgumentException e) {
        return new Rejected(Reason.MALFORMED, "malformed report: a signature is not hex");
      }
      signedByIdentity |= verifier.get().verify(message, signature);
    }
    if (!signedByIdentity) {
      return new Rejected(
          Reason.FORGED_SIGNATURE,
          "no signature on this report verifies with the identity key enrolled for gateway '"
              + expectedGateway
              + "' (key id "
              + identityKey.keyId()
              + "); refused as forged");
    }

    // 4. Kind and shape, now that the content is known to be the gateway's own.
    Report report;
    try {
      String kindName = signed.string("kind");
      Optional<ReportKind> kind = ReportKind.fromWireName(kindName);
      if (kind.isEmpty()) {
        return new Rejected(
            Reason.UNKNOWN_KIND, "report kind '" + kindName + "' is not known; refused");
      }
      report = ReportJson.fromSigned(signed, kind.get());
    } catch (JsonFormatException e) {
      return malformed(e);
    }

    // 5. The gateway it claims to be: a valid report of gateway A replayed as B's is refused.
    if (!report.gatewayId().equals(expectedGateway)) {
      return new Rejected(
          Reason.WRONG_GATEWAY,
          "report names gateway '"
              + report.gatewayId()
              + "' but arrived for gateway '"
              + expectedGateway
              + "'; refused");
    }

    // 6. Strictly newer than anything accepted before.
    if (report.counter() <= lastCounter) {
      return new Rejected(
          Reason.REPLAYED_COUNTER,
          "report counter "
              + report.counter()
              + (report.counter() == lastCounter ? " was already seen" : " is older than")
              + (report.counter() == lastCounter ? "" : " the last seen " + lastCounter)
              + " for gateway '"
              + expectedGateway
              + "' — possible replay; refused");
    }
    return new Verified(report);
  }

  private static Optional<Verifier> identityVerifier(TufKey key) {
    if (key.type().orElse(null) != KeyType.ECDSA_P256) {
      return Optional.empty();
    }
    return Verifiers.forKey(key);
  }

  private static Rejected malformed(JsonFormatException e) {
    return new Rejected(Reason.MALFORMED, "malformed report: " + e.getMessage());
  }
}
