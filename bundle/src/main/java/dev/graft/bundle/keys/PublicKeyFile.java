package dev.graft.bundle.keys;

import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.KeyFileException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.PrettyJson;
import java.util.Optional;

/**
 * Public key files: one TUF key object as JSON ({@code {"keytype", "scheme", "keyval":
 * {"public"}}}), written pretty-printed for people and read in any valid JSON layout. Members
 * beyond the standard ones are kept, since they are part of what the key id covers.
 */
public final class PublicKeyFile {
  /** Far larger than any key object, small enough that a wrong file is refused at once. */
  private static final JsonParser PARSER = JsonParser.withCaps(64 * 1024, 8);

  private PublicKeyFile() {}

  public static byte[] encode(TufKey key) {
    return PrettyJson.encode(key.json());
  }

  /**
   * The key in a public key file; {@code fileName} names it in error messages.
   *
   * @throws KeyFileException when the file is not a key object, or holds a key whose type Graft
   *     does not know or whose public value cannot be decoded
   */
  public static TufKey decode(byte[] file, String fileName) {
    TufKey key;
    try {
      JsonObject json = PARSER.parseObject(file);
      key = TufKey.fromJson(json);
    } catch (JsonFormatException e) {
      throw new KeyFileException(fileName + " is not a TUF public key file: " + e.getMessage(), e);
    }
    Optional<KeyType> type = key.type();
    if (type.isEmpty()) {
      throw new KeyFileException(
          fileName
              + " holds a key of keytype \""
              + key.keyType()
              + "\" and scheme \""
              + key.scheme()
              + "\", which Graft does not know");
    }
    if (Verifiers.forKey(key).isEmpty()) {
      throw new KeyFileException(
          fileName
              + " holds a key of type "
              + type.get().keyType()
              + " whose public value is malformed");
    }
    return key;
  }
}
