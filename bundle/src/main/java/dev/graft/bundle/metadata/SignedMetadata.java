package dev.graft.bundle.metadata;

import dev.graft.bundle.BadSignatureException;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.Signer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A metadata file: the parsed {@code signed} object, the same object exactly as received, and the
 * signatures. {@link #canonicalSigned()} is what every signature covers; it is derived from the
 * received JSON, every member included, never from the model.
 *
 * <p>It is also the one way metadata is written: {@link #sign} signs a freshly built model, {@link
 * #withSignatures} adds signatures collected elsewhere, and {@link #toBytes} encodes the file.
 *
 * @param <T> the role's model type
 */
public final class SignedMetadata<T extends Signed> {
  private final T signed;
  private final JsonObject signedJson;
  private final List<Signature> signatures;
  private final JsonObject unrecognized;
  private final byte[] canonicalSigned;

  private SignedMetadata(
      T signed, JsonObject signedJson, List<Signature> signatures, JsonObject unrecognized) {
    this.signed = signed;
    this.signedJson = signedJson;
    this.signatures = List.copyOf(signatures);
    this.unrecognized = unrecognized;
    this.canonicalSigned = CanonicalJson.encode(signedJson);
  }

  public static SignedMetadata<Root> parseRoot(byte[] bytes, JsonParser parser) {
    return parse(bytes, parser, RoleType.ROOT, Root::fromJson);
  }

  public static SignedMetadata<Targets> parseTargets(byte[] bytes, JsonParser parser) {
    return parse(bytes, parser, RoleType.TARGETS, Targets::fromJson);
  }

  public static SignedMetadata<Snapshot> parseSnapshot(byte[] bytes, JsonParser parser) {
    return parse(bytes, parser, RoleType.SNAPSHOT, Snapshot::fromJson);
  }

  public static SignedMetadata<Timestamp> parseTimestamp(byte[] bytes, JsonParser parser) {
    return parse(bytes, parser, RoleType.TIMESTAMP, Timestamp::fromJson);
  }

  /**
   * Signs a freshly built {@code signed} object's canonical JSON with each of {@code signers}, in
   * order. Choosing the signers (a role's keys, up to its threshold) is the caller's business; the
   * same key twice makes a file every client refuses.
   */
  public static <T extends Signed> SignedMetadata<T> sign(
      T signed, List<? extends Signer> signers) {
    byte[] message = CanonicalJson.encode(signed.toJson());
    List<Signature> signatures = new ArrayList<>();
    for (Signer signer : signers) {
      signatures.add(Signature.of(signer.keyId(), signer.sign(message)));
    }
    return of(signed, signatures);
  }

  /** Wraps a freshly built {@code signed} object (for writers) with the given signatures. */
  public static <T extends Signed> SignedMetadata<T> of(T signed, List<Signature> signatures) {
    return new SignedMetadata<>(signed, signed.toJson(), signatures, JsonObject.empty());
  }

  private static <T extends Signed> SignedMetadata<T> parse(
      byte[] bytes, JsonParser parser, RoleType type, Function<JsonObject, T> reader) {
    JsonObject envelope;
    T signed;
    JsonObject signedJson;
    try {
      envelope = parser.parseObject(bytes);
      signedJson = envelope.object("signed");
      signed = reader.apply(signedJson);
    } catch (JsonFormatException e) {
      throw new JsonFormatException(
          "malformed " + type.typeName() + " metadata: " + e.getMessage(), e);
    }
    List<Signature> signatures = new ArrayList<>();
    Set<String> keyIds = new HashSet<>();
    JsonArray list;
    try {
      list = envelope.array("signatures");
    } catch (JsonFormatException e) {
      throw new JsonFormatException(
          "malformed " + type.typeName() + " metadata: " + e.getMessage(), e);
    }
    for (JsonValue value : list.values()) {
      if (!(value instanceof JsonObject sigJson)) {
        throw new JsonFormatException(
            "malformed " + type.typeName() + " metadata: signatures must be objects");
      }
      Signature signature;
      try {
        signature = Signature.fromJson(sigJson);
      } catch (JsonFormatException e) {
        throw new JsonFormatException(
            "malformed " + type.typeName() + " metadata: signature " + e.getMessage(), e);
      }
      if (!keyIds.add(signature.keyId())) {
        throw BadSignatureException.duplicateKeyId(
            type.typeName(), signed.version(), signature.keyId());
      }
      signatures.add(signature);
    }
    return new SignedMetadata<>(
        signed,
        signedJson,
        signatures,
        MetadataFields.unrecognized(envelope, "signed", "signatures"));
  }

  public T signed() {
    return signed;
  }

  /** The {@code signed} object exactly as received. */
  public JsonObject signedJson() {
    return signedJson;
  }

  public List<Signature> signatures() {
    return signatures;
  }

  /** The bytes every signature covers. */
  public byte[] canonicalSigned() {
    return canonicalSigned.clone();
  }

  /**
   * The same file with {@code more} signatures after the ones it has; the {@code signed} object
   * stays exactly as received, so the signatures it had still cover it.
   */
  public SignedMetadata<T> withSignatures(List<Signature> more) {
    List<Signature> all = new ArrayList<>(signatures);
    all.addAll(more);
    return new SignedMetadata<>(signed, signedJson, all, unrecognized);
  }

  /** The file's bytes as written to disk or the wire: {@link #toJson()}, pretty-printed. */
  public byte[] toBytes() {
    return PrettyJson.encode(toJson());
  }

  /** The whole file as JSON: the received {@code signed} object, signatures, unknown members. */
  public JsonObject toJson() {
    List<JsonValue> sigs = new ArrayList<>();
    signatures.forEach(s -> sigs.add(s.toJson()));
    return unrecognized.toBuilder()
        .put("signatures", new JsonArray(sigs))
        .put("signed", signedJson)
        .build();
  }
}
